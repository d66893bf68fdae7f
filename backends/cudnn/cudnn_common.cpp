#include "cudnn_common.hpp"

namespace dlbench::cudnn {

Error::Error(cudnnStatus_t status, const std::string& what)
    : std::runtime_error(what + ": " + cudnnGetErrorString(status)), status_(status) {}

void check(cudnnStatus_t status, const char* what) {
  if (status != CUDNN_STATUS_SUCCESS) throw Error(status, what);
}

std::optional<cudnnDataType_t> data_type(DataType t) {
  switch (t) {
    case DataType::f32: return CUDNN_DATA_FLOAT;
    case DataType::f16: return CUDNN_DATA_HALF;
    case DataType::bf16: return CUDNN_DATA_BFLOAT16;
    case DataType::s8: return CUDNN_DATA_INT8;
    case DataType::s32: return CUDNN_DATA_INT32;
    default: return std::nullopt;
  }
}

std::string data_type_name(cudnnDataType_t t) {
  switch (t) {
    case CUDNN_DATA_FLOAT: return "CUDNN_DATA_FLOAT";
    case CUDNN_DATA_HALF: return "CUDNN_DATA_HALF";
    case CUDNN_DATA_BFLOAT16: return "CUDNN_DATA_BFLOAT16";
    case CUDNN_DATA_INT8: return "CUDNN_DATA_INT8";
    case CUDNN_DATA_INT32: return "CUDNN_DATA_INT32";
    case CUDNN_DATA_DOUBLE: return "CUDNN_DATA_DOUBLE";
    default: return "cudnnDataType#" + std::to_string(static_cast<int>(t));
  }
}

std::string version_string(std::size_t v) {
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
}

std::string library_string() {
  return "cuDNN " + version_string(cudnnGetVersion()) + " (built against " + version_string(CUDNN_VERSION) + ")";
}

Context::Context(int device) : device_(device) {
  const CudaDevice& d = cuda_device(device);
  availability_ = d.availability;
  if (!availability_.available) return;
  info_ = d.info;
  const cudaError_t set = cudaSetDevice(device);
  const cudaError_t made = set == cudaSuccess ? cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking) : set;
  if (made != cudaSuccess) {
    availability_ = {false, std::string("cannot use CUDA device ") + std::to_string(device) + " (" +
                                cudaGetErrorName(made) + ": " + cudaGetErrorString(made) + ")"};
    return;
  }
  // cudnnCreate loads cuDNN's sub-libraries; it fails cleanly (NOT_INITIALIZED) without a driver.
  const cudnnStatus_t created = cudnnCreate(&handle_);
  if (created != CUDNN_STATUS_SUCCESS) {
    handle_ = nullptr;
    availability_ = {false, std::string("cudnnCreate failed (") + cudnnGetErrorString(created) + ")"};
    return;
  }
  const cudnnStatus_t bound = cudnnSetStream(handle_, stream_);
  if (bound != CUDNN_STATUS_SUCCESS)
    availability_ = {false, std::string("cudnnSetStream failed (") + cudnnGetErrorString(bound) + ")"};
}

Context::~Context() {
  if (handle_) cudnnDestroy(handle_);
  if (stream_) cudaStreamDestroy(stream_);
}

std::string Context::device() const {
  return availability_.available ? describe(info_) : "CUDA device " + std::to_string(device_) + " (unavailable)";
}

std::vector<std::pair<std::string, std::string>> Context::context() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (availability_.available) out = context_of(info_);
  out.emplace_back("library", library_string());
  return out;
}

}  // namespace dlbench::cudnn
