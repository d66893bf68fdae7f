// What the cuDNN backends (convolution, RNN) share: errors as exceptions, versions, element types, and the device,
// stream and handle a backend computes with. Host-side pieces are unit-tested without a GPU.
#pragma once

#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/dtype.hpp"
#include "cuda/cuda_device.hpp"
#include "harness/backend.hpp"

namespace dlbench::cudnn {

class Error : public std::runtime_error {
 public:
  Error(cudnnStatus_t status, const std::string& what);
  cudnnStatus_t status() const { return status_; }

 private:
  cudnnStatus_t status_;
};

// Throws Error("<what>: CUDNN_STATUS_... (message)") unless `status` is success.
void check(cudnnStatus_t status, const char* what);

// cuDNN's element type for a suite type, or nullopt (fp8 and f64 are not offered by these backends).
std::optional<cudnnDataType_t> data_type(DataType t);
// "CUDNN_DATA_HALF" style names for messages and rows.
std::string data_type_name(cudnnDataType_t t);

// 91900 → "9.19.0" (cudnnGetVersion's encoding since cuDNN 9).
std::string version_string(std::size_t version);
// "cuDNN 9.19.0 (built against 9.19.0)", with the runtime's own version first; the two may differ when the
// bundle runs on PyTorch's cuDNN wheel (TOOLCHAIN.md).
std::string library_string();

// The device, a non-blocking stream and a cuDNN handle bound to it, created once per backend. Construction never
// throws: on a machine without a GPU (or without a usable cuDNN) the reason is kept and the backend reports itself
// unavailable.
class Context {
 public:
  explicit Context(int device);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Availability availability() const { return availability_; }
  const CudaDeviceInfo& info() const { return info_; }
  int device_index() const { return device_; }
  cudaStream_t stream() const { return stream_; }
  cudnnHandle_t handle() const { return handle_; }

  // The `device` column, and the static facts of the run's context.
  std::string device() const;
  DeviceIdentity hardware() const { return gpu_identity(cuda_device(device_)); }
  std::vector<std::pair<std::string, std::string>> context() const;

 private:
  int device_;
  Availability availability_;
  CudaDeviceInfo info_;
  cudaStream_t stream_ = nullptr;
  cudnnHandle_t handle_ = nullptr;
};

}  // namespace dlbench::cudnn
