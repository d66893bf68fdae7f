// oneDNN (CPU) GEMM backend: oneDNN 2.x matmul primitive, one primitive per case.
//
// oneDNN 2.6 on the host runs fp32, bf16, fp16 and int8 where the CPU's ISA allows; it has no fp8 types and no
// tf32 math mode (its fpmath modes are strict, bf16, f16 and any), so those precisions are skipped with a reason.
// A problem oneDNN only serves with its reference implementation is skipped too: that path exists for
// correctness, not speed, and would take hours on the large tables.
#include <cstring>

#include "gemm/gemm_backend.hpp"
#include "harness/case.hpp"
#include "onednn_common.hpp"

namespace dlbench {
namespace {

using dt = dnnl::memory::data_type;
using onednn::data_type;
using onednn::effective_isa;

// Row-major descriptors in the project's convention (gemm_problem.hpp): a transposed operand is the same
// logical matrix with swapped strides, which oneDNN matmul takes directly.
dnnl::memory::desc matrix_desc(std::int64_t batch, std::int64_t rows, std::int64_t cols, bool stored_transposed,
                               dt type) {
  const std::int64_t row_stride = stored_transposed ? 1 : cols;
  const std::int64_t col_stride = stored_transposed ? rows : 1;
  if (batch == 1) return dnnl::memory::desc({rows, cols}, type, {row_stride, col_stride});
  return dnnl::memory::desc({batch, rows, cols}, type, {rows * cols, row_stride, col_stride});
}

struct Descs {
  dnnl::memory::desc a, b_plain, b_arg, d;
  dnnl::primitive_attr attr;
};

Descs make_descs(const GemmProblem& p, const GemmConfig& config) {
  const auto& t = p.types();
  const dt in = *data_type(t.input);
  const dt out = *data_type(t.output);
  Descs d;
  d.a = matrix_desc(p.batch, p.m, p.k, p.trans_a, in);
  d.b_plain = matrix_desc(p.batch, p.k, p.n, p.trans_b, in);
  d.d = matrix_desc(p.batch, p.m, p.n, false, out);
  if (config.b_layout == BLayout::packed) {
    const dnnl::memory::dims dims = p.batch == 1 ? dnnl::memory::dims{p.k, p.n} : dnnl::memory::dims{p.batch, p.k, p.n};
    d.b_arg = dnnl::memory::desc(dims, in, dnnl::memory::format_tag::any);  // let oneDNN pick its layout
  } else {
    d.b_arg = d.b_plain;
  }
  if (p.alpha != 1.0) d.attr.set_output_scales(0, {static_cast<float>(p.alpha)});
  if (p.beta != 0.0) {
    dnnl::post_ops ops;
    ops.append_sum(static_cast<float>(p.beta));  // D = alpha·AB + beta·D, with D holding C before the call
    d.attr.set_post_ops(ops);
  }
  return d;
}

class OneDnnGemmOperation final : public GemmOperation {
 public:
  OneDnnGemmOperation(dnnl::engine& engine, dnnl::stream& stream, const dnnl::matmul::primitive_desc& pd,
                      const Descs& descs, const GemmOperands& in)
      : stream_(stream), primitive_(pd), impl_(pd.impl_info_str()) {
    a_ = dnnl::memory(descs.a, engine);
    d_ = dnnl::memory(descs.d, engine);
    std::memcpy(a_.get_data_handle(), in.a.data(), in.a.bytes());
    std::memcpy(d_.get_data_handle(), in.c.data(), in.c.bytes());
    dnnl::memory b_plain(descs.b_plain, engine);
    std::memcpy(b_plain.get_data_handle(), in.b.data(), in.b.bytes());
    if (pd.weights_desc() == descs.b_plain) {
      b_ = b_plain;
    } else {
      // Packing happens here, once, outside every timed region.
      b_ = dnnl::memory(pd.weights_desc(), engine);
      dnnl::reorder(b_plain, b_).execute(stream_, b_plain, b_);
      stream_.wait();
    }
  }

  void run() override {
    primitive_.execute(stream_, {{DNNL_ARG_SRC, a_}, {DNNL_ARG_WEIGHTS, b_}, {DNNL_ARG_DST, d_}});
    stream_.wait();
  }

  void read_output(HostBuffer& d) override { std::memcpy(d.data(), d_.get_data_handle(), d.bytes()); }
  std::string implementation() const override { return impl_; }

 private:
  dnnl::stream& stream_;
  dnnl::matmul primitive_;
  std::string impl_;
  dnnl::memory a_, b_, d_;
};

class OneDnnGemm final : public GemmBackend {
 public:
  explicit OneDnnGemm(const BackendSettings& settings) : cpu_(settings.threads) {}

  Availability availability() const override { return cpu_.availability(); }
  std::string device() const override { return cpu_.device(); }
  DeviceIdentity hardware() const override { return cpu_.hardware(); }
  std::string library() const override { return cpu_.library(); }

  Support supports(const GemmProblem& p, const GemmConfig& config) const override {
    if (p.precision == Precision::tf32)
      return Support::no("oneDNN 2.6 has no tf32 math mode (fpmath modes: strict, bf16, f16, any); it would run fp32");
    const auto& t = p.types();
    if (!data_type(t.input) || !data_type(t.output))
      return Support::no("oneDNN 2.6 has no " + std::string(to_string(t.input)) + " data type");
    try {
      const auto pd = primitive_desc(make_descs(p, config));
      const std::string impl = pd.impl_info_str();
      if (impl.rfind("ref", 0) == 0)
        return Support::no("only oneDNN's reference implementation (" + impl + ") runs " + std::string(t.name) +
                           " on " + effective_isa() + "; not a performance path");
    } catch (const dnnl::error& e) {
      return Support::no("oneDNN has no " + std::string(t.name) + " matmul for this problem on " +
                         effective_isa() + " (" + e.what() + ")");
    }
    return Support::yes();
  }

  std::unique_ptr<GemmOperation> prepare(const GemmProblem& p, const GemmConfig& config,
                                         const GemmOperands& in) override {
    const Descs descs = make_descs(p, config);
    const auto pd = primitive_desc(descs);
    return std::make_unique<OneDnnGemmOperation>(cpu_.engine(), cpu_.stream(), pd, descs, in);
  }

 private:
  dnnl::matmul::primitive_desc primitive_desc(const Descs& d) const {
    const dnnl::matmul::desc desc(d.a, d.b_arg, d.d);
    return dnnl::matmul::primitive_desc(desc, d.attr, cpu_.engine());
  }

  mutable onednn::CpuEngine cpu_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(GemmBackend, "onednn", OneDnnGemm);

}  // namespace dlbench
