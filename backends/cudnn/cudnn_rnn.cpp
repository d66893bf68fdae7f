// The cuDNN backend for RNNs: vanilla (relu, tanh), LSTM and GRU stacks, uni- or bidirectional, in fp32, tf32,
// fp16 and bf16, through cuDNN's v8 RNN API with CUDNN_RNN_ALGO_STANDARD. Passes: inference (cudnnRNNForward in
// inference mode), training_fwd (cudnnRNNForward in training mode, keeping the reserve space) and training_bwd
// (zeroing dweights, cudnnRNNBackwardData_v8, cudnnRNNBackwardWeights_v8, after one untimed training forward).
// This file decides what runs and checks device memory; cudnn_rnn_operation.cpp sets up and runs one pass, and the
// harness's CUDA engine (bench/cuda) times it.
#include <cuda_runtime_api.h>

#include <memory>
#include <stdexcept>

#include "cuda/cuda_error.hpp"
#include "cudnn_common.hpp"
#include "cudnn_rnn_operation.hpp"
#include "harness/case.hpp"
#include "rnn/rnn_backend.hpp"
#include "rnn_plan.hpp"

namespace dlbench {

namespace {

class CudnnRnnBackend final : public RnnBackend {
 public:
  // The context never throws (cudnn_common.hpp): without a GPU it keeps the reason, which availability() reports.
  explicit CudnnRnnBackend(const BackendSettings& s) : context_(std::make_shared<cudnn::Context>(s.device)) {}

  Availability availability() const override { return context_->availability(); }
  std::string device() const override { return context_->device(); }
  DeviceIdentity hardware() const override { return context_->hardware(); }
  std::string library() const override { return cudnn::library_string(); }

  std::vector<std::pair<std::string, std::string>> context() const override {
    auto out = context_->context();
    out.emplace_back("rnn_algorithm", "CUDNN_RNN_ALGO_STANDARD (the persistent-kernel algorithms are not tried)");
    out.emplace_back("rnn_math",
                     "fp32 CUDNN_FMA_MATH (no TF32); tf32 CUDNN_DEFAULT_MATH (TF32 allowed); fp16 and "
                     "bf16 CUDNN_TENSOR_OP_MATH with fp32 math precision");
    return out;
  }

  Support supports(const RnnProblem& p) const override {
    const Availability a = context_->availability();
    if (!a.available) return Support::no(a.reason);
    return cudnn::rnn_supports(p, context_->info().cc_major, context_->info().cc_minor);
  }

  std::unique_ptr<RnnOperation> prepare(const RnnProblem& p, const RnnInputs& inputs) override {
    const Availability a = context_->availability();
    if (!a.available) throw std::runtime_error("cuDNN backend unavailable: " + a.reason);
    check_cuda(cudaSetDevice(context_->device_index()), "cudaSetDevice");
    auto op = std::make_unique<cudnn::CudnnRnnOperation>(context_, dropout(), p);
    require_memory(op->device_bytes());
    op->load(inputs);
    return op;
  }

 private:
  // Created on the first case, not with the backend: a backend is made for every run, and the states are device
  // memory and a kernel launch that a run without RNN cases on this device should not pay for.
  std::shared_ptr<const cudnn::NoDropout> dropout() {
    if (!dropout_) dropout_ = std::make_shared<const cudnn::NoDropout>(context_->handle());
    return dropout_;
  }

  // A problem that cannot fit is a property of the device, not a failure: skip it with the numbers. The timer's
  // L2-flush buffer (twice the L2) is counted, as it is allocated beside the operation's buffers.
  void require_memory(std::size_t op_bytes) const {
    const double need = static_cast<double>(op_bytes) + 2.0 * context_->info().l2_bytes;
    std::size_t free_bytes = 0, total = 0;
    check_cuda(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    if (need > 0.95 * static_cast<double>(free_bytes))
      throw Unsupported("needs " + std::to_string(static_cast<long long>(need / (1 << 20))) +
                        " MiB of device memory, " + std::to_string(free_bytes >> 20) + " MiB free");
  }

  // Shared with the operations, which must keep the handle and stream alive for as long as they exist.
  std::shared_ptr<cudnn::Context> context_;
  std::shared_ptr<const cudnn::NoDropout> dropout_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(RnnBackend, "cudnn", CudnnRnnBackend);

}  // namespace dlbench
