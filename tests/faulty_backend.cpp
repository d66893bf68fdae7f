// A deliberately faulty GEMM backend, linked only into faulty_gemm_bench, to test what the harness does when a
// backend is wrong: a wrong result must fail its row and the exit code while every other case still runs.
//   m == 33: one output element is off by one            -> verification fails
//   m == 17: prepare() throws                            -> the row fails with the error
//   m == 1:  prepare() throws Unsupported                -> the row is skipped with the reason
//   m == 96: run() throws once it is being timed         -> the row fails with the error
//   otherwise: a correct (naive) GEMM in fp32 and int8; other precisions are unsupported.
#include <stdexcept>

#include "gemm/gemm_backend.hpp"
#include "harness/case.hpp"

namespace dlbench {
namespace {

class NaiveOperation final : public GemmOperation {
 public:
  NaiveOperation(const GemmProblem& p, const GemmOperands& in)
      : p_(p), a_(in.a), b_(in.b), c_(in.c), d_(in.c.type(), in.c.count()) {}

  void run() override {
    if (p_.m == 96 && ++calls_ > 1) throw std::runtime_error("simulated failure while timing");
    const GemmOperands in{a_, b_, c_};
    for (std::int64_t b = 0; b < p_.batch; ++b)
      for (std::int64_t i = 0; i < p_.m; ++i)
        for (std::int64_t j = 0; j < p_.n; ++j)
          d_.set(b * p_.m * p_.n + i * p_.n + j, gemm_reference_element(p_, in, b, i, j));
    if (p_.m == 33) d_.set(0, d_.get(0) + 1.0);
  }
  void read_output(HostBuffer& d) override { d = d_; }
  std::string implementation() const override { return "naive"; }

 private:
  GemmProblem p_;
  HostBuffer a_, b_, c_, d_;
  int calls_ = 0;
};

class FaultyGemm final : public GemmBackend {
 public:
  explicit FaultyGemm(const BackendSettings&) {}
  Availability availability() const override { return {}; }
  std::string device() const override { return "test host"; }
  std::string library() const override { return "faulty 0.0"; }
  Support supports(const GemmProblem& p, const GemmConfig&) const override {
    if (p.precision != Precision::fp32 && p.precision != Precision::int8)
      return Support::no("faulty backend runs fp32 and int8 only");
    return Support::yes();
  }
  std::unique_ptr<GemmOperation> prepare(const GemmProblem& p, const GemmConfig&, const GemmOperands& in) override {
    if (p.m == 17) throw std::runtime_error("simulated library error");
    if (p.m == 1) throw Unsupported("simulated late refusal");
    return std::make_unique<NaiveOperation>(p, in);
  }
};

}  // namespace

DLBENCH_REGISTER_BACKEND(GemmBackend, "faulty", FaultyGemm);

}  // namespace dlbench
