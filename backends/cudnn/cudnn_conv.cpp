// The cuDNN backend for convolution: forward, backward-data and backward-filter through cuDNN's convolution calls,
// in fp32, tf32, fp16 and bf16, NCHW or NHWC, grouped, strided, padded and dilated. The algorithm is the first of
// cuDNN's heuristic candidates that fits the workspace limit and whose math type the precision allows, or with
// --autotune=N (N > 0) the fastest of N such candidates (Find's, then the heuristic's) timed on the case by the
// harness's timer. Timing is the harness's
// CUDA engine (bench/cuda); this file and cudnn_conv_op.cpp only set the call up and run it.
#include <cuda_runtime_api.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "conv/conv_backend.hpp"
#include "conv_algo.hpp"
#include "conv_plan.hpp"
#include "cuda/cuda_error.hpp"
#include "cudnn_common.hpp"
#include "cudnn_conv_op.hpp"
#include "harness/case.hpp"

namespace dlbench {

namespace {

class CudnnConvBackend final : public ConvBackend {
 public:
  // Constructors must not throw (backend.hpp); cudnn::Context keeps the reason it cannot be used instead.
  explicit CudnnConvBackend(const BackendSettings& s) : settings_(s), context_(s.device) {}

  Availability availability() const override { return context_.availability(); }
  std::string device() const override { return context_.device(); }
  DeviceIdentity hardware() const override { return context_.hardware(); }
  std::string library() const override { return cudnn::library_string(); }

  std::vector<std::pair<std::string, std::string>> context() const override {
    std::vector<std::pair<std::string, std::string>> out = context_.context();
    out.emplace_back("workspace_mib", std::to_string(settings_.workspace_bytes >> 20));
    out.emplace_back("algorithm_choice",
                     settings_.autotune > 0
                         ? "the fastest by median of " + std::to_string(settings_.autotune) +
                               " candidates (cudnnFind*AlgorithmEx's, then the heuristic's) that fit the workspace "
                               "limit and whose math type the precision allows, each timed cold on the case's own "
                               "tensors after an untimed call"
                         : "the first of cuDNN's heuristic candidates (cudnnGet*Algorithm_v7) that fits the workspace "
                           "limit and whose math type the precision allows");
    return out;
  }

  Support supports(const ConvProblem& p) const override {
    const Availability a = availability();
    if (!a.available) return Support::no(a.reason);
    const CudaDeviceInfo& info = context_.info();
    return cudnn::conv_supports(p, info.cc_major, info.cc_minor);
  }

  std::unique_ptr<ConvOperation> prepare(const ConvProblem& p, const ConvTensors& tensors) override {
    const Support s = supports(p);
    if (!s.ok) throw Unsupported(s.reason);
    check_cuda(cudaSetDevice(settings_.device), "cudaSetDevice");
    require_memory(p);
    auto call = std::make_unique<cudnn::ConvCall>(context_, p, settings_.workspace_bytes);
    call->load(tensors);
    if (settings_.autotune > 0) {
      call->choose_by_timing(settings_.autotune);
    } else {
      call->choose_by_heuristic();
    }
    return call;
  }

 private:
  // A problem that cannot fit is a property of the device, not a failure: skip it with the numbers. Counted: the
  // three tensors, the workspace limit (Find is given all of it) and the timer's L2 flush buffer (twice the L2).
  void require_memory(const ConvProblem& p) const {
    const auto& t = p.types();
    const double in = static_cast<double>(size_of(t.input)), out = static_cast<double>(size_of(t.output));
    const double tensors = static_cast<double>(p.src_elements() + p.weight_elements() + p.dst_elements()) * in +
                           static_cast<double>(p.output_elements()) * (out - in);
    const double need = tensors + static_cast<double>(settings_.workspace_bytes) + 2.0 * context_.info().l2_bytes;
    std::size_t free_bytes = 0, total = 0;
    check_cuda(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    const auto mib = [](double bytes) { return std::to_string(static_cast<long long>(bytes / (1 << 20))); };
    if (need > 0.95 * static_cast<double>(free_bytes))
      throw Unsupported("needs " + mib(need) + " MiB of device memory (tensors " + mib(tensors) +
                        " MiB, workspace limit " + std::to_string(settings_.workspace_bytes >> 20) + " MiB), " +
                        std::to_string(free_bytes >> 20) + " MiB free");
  }

  BackendSettings settings_;
  cudnn::Context context_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(ConvBackend, "cudnn", CudnnConvBackend);

}  // namespace dlbench
