// The `cudart` peak backend: a GPU's memory bandwidth as a device-to-device cudaMemcpyAsync of a buffer many times
// the L2, counted as bytes read plus bytes written (the convention of nvbench, BabelStream's copy and MEASURE.md's
// ~3.0 TB/s on an H100).
#include <algorithm>
#include <cstring>

#include "common/element_codec.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_error.hpp"
#include "cuda/cuda_kernels.hpp"
#include "cuda/cuda_timer.hpp"
#include "cuda/device_buffer.hpp"
#include "peak/peak_backend.hpp"

namespace dlbench {

namespace {

constexpr std::uint64_t kSeed = 0xc0b1;

class CopyOperation final : public Operation {
 public:
  CopyOperation(int device, cudaStream_t stream, std::size_t bytes)
      : device_(device), stream_(stream), src_(bytes), dst_(bytes) {
    const std::size_t words = bytes / 4;
    fill_random_on_device(src_.get(), DataType::f32, words, kSeed, stream_);
    fill_bits_on_device(dst_.get(), DataType::f32, words, codec::poison_element(DataType::f32), stream_);
    check_cuda(cudaStreamSynchronize(stream_), "filling the copy's buffers");
  }
  void run() override {
    check_cuda(cudaMemcpyAsync(dst_.get(), src_.get(), src_.bytes(), cudaMemcpyDeviceToDevice, stream_),
               "cudaMemcpyAsync device to device");
  }
  std::unique_ptr<Timer> make_timer() override { return make_cuda_timer(stream_, device_); }

  // `samples` words spread over the buffer, each against the generator's value at its index.
  Verification check(int samples) {
    check_cuda(cudaStreamSynchronize(stream_), "the verified copy");
    const std::size_t words = src_.bytes() / 4;
    Verification v;
    v.mode = "sampled";
    v.tolerance = 0;
    v.wrong = 0;
    for (int k = 0; k < samples; ++k) {
      const std::size_t i = (k == samples - 1) ? words - 1 : codec::splitmix64_at(kSeed ^ 0xabc, k) % words;
      std::uint32_t got = 0;
      check_cuda(cudaMemcpy(&got, static_cast<const char*>(dst_.get()) + 4 * i, 4, cudaMemcpyDeviceToHost),
                 "reading a copied word");
      if (got != static_cast<std::uint32_t>(codec::random_element(DataType::f32, kSeed, i))) ++v.wrong;
    }
    v.error = static_cast<double>(v.wrong) / samples;
    v.passed = v.wrong == 0;
    // `wrong` is for exact collectives; here the error (the fraction of sampled words wrong) says it.
    v.wrong = -1;
    return v;
  }

 private:
  int device_;
  cudaStream_t stream_;
  DeviceBuffer src_, dst_;
};

class CudartPeakBackend final : public PeakBackend {
 public:
  explicit CudartPeakBackend(const BackendSettings& s) : index_(s.device) {
    const CudaDevice& d = cuda_device(index_);
    if (!d.availability.available) {
      unavailable_ = d.availability.reason;
      return;
    }
    const cudaError_t e = cudaSetDevice(index_);
    if (e == cudaSuccess) check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
    else unavailable_ = std::string("cudaSetDevice failed (") + cudaGetErrorString(e) + ")";
  }
  ~CudartPeakBackend() override {
    if (stream_) cudaStreamDestroy(stream_);
  }

  Availability availability() const override { return {unavailable_.empty(), unavailable_}; }
  std::string device() const override {
    return unavailable_.empty() ? describe(cuda_device(index_).info)
                                : "CUDA device " + std::to_string(index_) + " (unavailable)";
  }
  std::string library() const override {
    int v = 0;
    cudaRuntimeGetVersion(&v);
    return "CUDA runtime " + cuda_version_string(v);
  }
  DeviceIdentity hardware() const override { return gpu_identity(cuda_device(index_)); }
  std::vector<std::pair<std::string, std::string>> context() const override {
    return unavailable_.empty() ? context_of(cuda_device(index_).info) : decltype(context()){};
  }

  std::vector<PeakProbe> probes(std::size_t bandwidth_bytes) const override {
    // At least 1 GiB and 16 times the L2 (50 MB on an H100): the copy streams from and to DRAM.
    const double l2 = unavailable_.empty() ? cuda_device(index_).info.l2_bytes : 0;
    std::size_t bytes = bandwidth_bytes > 0 ? bandwidth_bytes
                                            : std::max<std::size_t>(std::size_t{1} << 30, static_cast<std::size_t>(16 * l2));
    bytes = bytes / 4 * 4;
    return {{"copy", "fp32", true, 0, 2.0 * static_cast<double>(bytes),
             std::to_string(bytes >> 20) + " MiB device to device"}};
  }

  Prepared prepare(const PeakProbe& probe) override {
    check_cuda(cudaSetDevice(index_), "cudaSetDevice");
    auto op = std::make_unique<CopyOperation>(index_, stream_, static_cast<std::size_t>(probe.bytes / 2));
    op->run();
    Prepared p;
    p.check = op->check(4096);
    p.implementation = "cudaMemcpyAsync D2D";
    p.op = std::move(op);
    return p;
  }

 private:
  int index_;
  cudaStream_t stream_ = nullptr;
  std::string unavailable_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(PeakBackend, "cudart", CudartPeakBackend);

}  // namespace dlbench
