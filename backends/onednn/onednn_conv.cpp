// oneDNN (CPU) convolution backend: oneDNN 2.x convolution primitives (direct algorithm), one primitive per case,
// all three directions.
//
// Layouts. src and dst (and their gradients) are exactly the problem's layout, NCHW or NHWC. The weights are
// oneDNN's choice (format_tag::any), as a framework running oneDNN holds them: for fwd and bwd_data the plain
// KCRS/KRSC weights are reordered into that layout once, outside every timed region; for bwd_filter the kernel
// writes diff_weights in its layout and read_output() reorders them back to the plain layout, also untimed. The
// `algorithm` column names the weights layout in oneDNN's notation ("ABcd16b16a"; "plain" when oneDNN kept ours).
//
// Forward runs with prop_kind::forward_training: it is what a training step runs and what the backward
// primitives take as their hint, and for a convolution oneDNN computes the same thing as forward_inference.
// Precisions: fp32, bf16, fp16 and int8 (fwd only, s8 × s8 → s32) where this CPU has an implementation other
// than oneDNN's reference one. tf32 has no oneDNN math mode and fp8 no oneDNN type: skipped with the reason.
// A problem served only by the reference implementation is skipped too: it exists for correctness, not speed.
#include <cstring>
#include <unordered_map>

#include "conv/conv_backend.hpp"
#include "harness/case.hpp"
#include "onednn_common.hpp"
#include "onednn_conv_plan.hpp"

namespace dlbench {
namespace {

using onednn::effective_isa;

class OneDnnConvOperation final : public ConvOperation {
 public:
  OneDnnConvOperation(dnnl::engine& engine, dnnl::stream& stream, const onednn::ConvPlan& plan,
                      const ConvTensors& in)
      : stream_(stream),
        direction_(plan.problem.direction),
        impl_(plan.implementation()),
        algorithm_(plan.algorithm()),
        workspace_(plan.scratchpad_desc().get_size()) {
    const auto& d = plan.descs;
    // Each tensor in the problem's layout, holding what the harness gave: the two inputs and the poisoned output.
    const auto plain = [&](const dnnl::memory::desc& desc, const HostBuffer& buffer) {
      dnnl::memory m(desc, engine);
      std::memcpy(m.get_data_handle(), buffer.data(), buffer.bytes());
      return m;
    };
    dnnl::memory src = plain(d.src, in.src), dst = plain(d.dst, in.dst);
    weights_plain_ = plain(d.weights, in.weights);
    // The weights (or their gradient) in oneDNN's chosen layout, reordered here, outside every timed region.
    dnnl::memory weights = weights_plain_;
    if (plan.weights_desc() != d.weights) {
      weights = dnnl::memory(plan.weights_desc(), engine);
      dnnl::reorder(weights_plain_, weights).execute(stream_, weights_plain_, weights);
      stream_.wait();
    }
    weights_ = weights;
    output_ = direction_ == ConvDirection::fwd ? dst : direction_ == ConvDirection::bwd_data ? src : weights;
    scratchpad_ = dnnl::memory(plan.scratchpad_desc(), engine);
    switch (direction_) {
      case ConvDirection::fwd:
        primitive_ = dnnl::convolution_forward(plan.fwd);
        args_ = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
        break;
      case ConvDirection::bwd_data:
        primitive_ = dnnl::convolution_backward_data(plan.bwd_data);
        args_ = {{DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, src}};
        break;
      case ConvDirection::bwd_filter:
        primitive_ = dnnl::convolution_backward_weights(plan.bwd_weights);
        args_ = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_DIFF_WEIGHTS, weights}};
        break;
    }
    args_.emplace(DNNL_ARG_SCRATCHPAD, scratchpad_);
  }

  void run() override {
    primitive_.execute(stream_, args_);
    stream_.wait();
  }

  void read_output(HostBuffer& out) override {
    dnnl::memory result = output_;
    if (direction_ == ConvDirection::bwd_filter && weights_.get_desc() != weights_plain_.get_desc()) {
      // diff_weights back from oneDNN's layout to the problem's, after the call and outside its timing.
      dnnl::reorder(weights_, weights_plain_).execute(stream_, weights_, weights_plain_);
      stream_.wait();
      result = weights_plain_;
    }
    std::memcpy(out.data(), result.get_data_handle(), out.bytes());
  }

  std::string implementation() const override { return impl_; }
  std::string algorithm() const override { return algorithm_; }
  std::size_t workspace_bytes() const override { return workspace_; }

 private:
  dnnl::stream& stream_;
  ConvDirection direction_;
  std::string impl_, algorithm_;
  std::size_t workspace_;
  dnnl::primitive primitive_;
  std::unordered_map<int, dnnl::memory> args_;
  dnnl::memory weights_plain_, weights_, output_, scratchpad_;
};

class OneDnnConv final : public ConvBackend {
 public:
  explicit OneDnnConv(const BackendSettings& settings) : cpu_(settings.threads) {}

  Availability availability() const override { return cpu_.availability(); }
  std::string device() const override { return cpu_.device(); }
  DeviceIdentity hardware() const override { return cpu_.hardware(); }
  std::string library() const override { return cpu_.library(); }

  Support supports(const ConvProblem& p) const override {
    if (p.precision == Precision::tf32)
      return Support::no("oneDNN 2.6 has no tf32 math mode (fpmath modes: strict, bf16, f16, any); it would run fp32");
    const auto& t = p.types();
    if (!onednn::data_type(t.input) || !onednn::data_type(t.output))
      return Support::no("oneDNN 2.6 has no " + std::string(to_string(t.input)) + " data type");
    const std::string what = std::string(t.name) + " " + std::string(to_string(p.direction)) + " convolution";
    try {
      const onednn::ConvPlan plan(p, cpu_.engine());
      const std::string impl = plan.implementation();
      if (impl.rfind("ref", 0) == 0)
        return Support::no("only oneDNN's reference implementation (" + impl + ") runs this " + what + " on " +
                           effective_isa() + "; not a performance path");
    } catch (const dnnl::error& e) {
      return Support::no("oneDNN has no " + what + " for this problem on " + effective_isa() + " (" + e.what() + ")");
    }
    return Support::yes();
  }

  std::unique_ptr<ConvOperation> prepare(const ConvProblem& p, const ConvTensors& in) override {
    const onednn::ConvPlan plan(p, cpu_.engine());
    return std::make_unique<OneDnnConvOperation>(cpu_.engine(), cpu_.stream(), plan, in);
  }

 private:
  mutable onednn::CpuEngine cpu_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(ConvBackend, "onednn", OneDnnConv);

}  // namespace dlbench
