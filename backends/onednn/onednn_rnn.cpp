// oneDNN (CPU) RNN backend: vanilla (relu, tanh), LSTM and GRU stacks, uni- or bidirectional, through oneDNN 2.x's
// RNN primitives (vanilla_rnn, vanilla_lstm, lbr_gru), in fp32 and, on CPUs with AVX-512, bf16. Passes: inference
// (forward_inference), training_fwd (forward_training, keeping the workspace) and training_bwd (the backward
// primitives alone, diff data and diff weights together, after one untimed forward_training).
//
// onednn_rnn_layout.hpp has the mapping rules (gate orders, biases, weights, how a stack is split into primitives),
// onednn_rnn_plan.* the primitive descriptors, onednn_rnn_operation.* one prepared pass.
//
// oneDNN names its RNN implementations "brgemm" (its brgemm kernels, AVX-512 and AMX) and "ref" (the generic one,
// which runs each cell's GEMMs through oneDNN's own optimised GEMM and only its element-wise part in plain C++). On
// CPUs "ref" is a performance path here, unlike the convolution's "ref:any", so it is not skipped; the
// implementation column says which ran.
#include <memory>
#include <stdexcept>

#include "onednn_common.hpp"
#include "onednn_rnn_operation.hpp"
#include "onednn_rnn_plan.hpp"
#include "rnn/rnn_backend.hpp"

namespace dlbench {
namespace {

using onednn::effective_isa;

// bf16 RNNs need AVX-512 (avx512_core): oneDNN 2.6's bf16 GEMMs emulate bf16 there and use it natively from
// avx512_core_bf16 (and AMX) on. The ISA enum is a bit set, each level containing the ones below it.
bool has_avx512_core() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto need = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (isa & need) == need;
}

// Why oneDNN 2.6 cannot run a precision's RNN on this CPU, or an empty string.
std::string precision_reason(const RnnProblem& p) {
  switch (p.precision) {
    case Precision::fp32: return {};
    case Precision::bf16:
      if (has_avx512_core()) return {};
      return "oneDNN 2.6 runs bf16 RNNs on AVX-512 CPUs (avx512_core) only; this one is " + effective_isa();
    case Precision::tf32:
      return "oneDNN 2.6 has no tf32 math mode (fpmath modes: strict, bf16, f16, any); it would run fp32";
    case Precision::fp16:
      return "oneDNN 2.6's CPU RNN primitives have no f16 implementation (f32, bf16 and int8 data only)";
    case Precision::int8:
      return "oneDNN 2.6's int8 RNNs are forward-inference LSTM/GRU with u8/s8 data and the per-tensor data scale "
             "and shift and per-gate weight scales of a calibrated model; " + p.unsupported_reason().value_or("");
    default: return "oneDNN 2.6 has no fp8 data type; " + p.unsupported_reason().value_or("");
  }
}

class OneDnnRnn final : public RnnBackend {
 public:
  explicit OneDnnRnn(const BackendSettings& settings) : cpu_(settings.threads) {}

  Availability availability() const override { return cpu_.availability(); }
  std::string device() const override { return cpu_.device(); }
  DeviceIdentity hardware() const override { return cpu_.hardware(); }
  std::string library() const override { return cpu_.library(); }

  std::vector<std::pair<std::string, std::string>> context() const override {
    return {{"rnn_types",
             "fp32: all f32. bf16: data, states and weights bf16, bias and LSTM cell state f32, backward's "
             "gradients f32 (converted to bf16 on read, untimed)"}};
  }

  Support supports(const RnnProblem& p) const override {
    const Availability a = cpu_.availability();
    if (!a.available) return Support::no(a.reason);
    if (const std::string why = precision_reason(p); !why.empty()) return Support::no(why);
    try {
      const onednn::RnnPlan plan(p, cpu_.engine());
    } catch (const dnnl::error& e) {
      return Support::no("oneDNN has no " + std::string(p.types().name) + " " + std::string(to_string(p.cell)) + " " +
                         std::string(to_string(p.pass)) + " for this problem on " + effective_isa() + " (" +
                         e.what() + ")");
    }
    return Support::yes();
  }

  std::unique_ptr<RnnOperation> prepare(const RnnProblem& p, const RnnInputs& inputs) override {
    const Availability a = cpu_.availability();
    if (!a.available) throw std::runtime_error("oneDNN backend unavailable: " + a.reason);
    const onednn::RnnPlan plan(p, cpu_.engine());
    return std::make_unique<onednn::OneDnnRnnOperation>(cpu_.engine(), cpu_.stream(), plan, inputs);
  }

 private:
  mutable onednn::CpuEngine cpu_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(RnnBackend, "onednn", OneDnnRnn);

}  // namespace dlbench
