// GemmCase's handling of operands: host buffers for backends that read them, buffers generated on demand for
// backends that generate their operands on a device (so that large inputs are never materialised on the host).
#include <gtest/gtest.h>

#include "gemm/gemm_case.hpp"

namespace dlbench {
namespace {

// Stands in for a device backend: it never touches the host buffers' storage, generates A, B and C from the
// seeds as a GPU would (element_codec.hpp through fill_random), and computes D in double.
class SeedOnlyBackend final : public GemmBackend {
 public:
  mutable bool saw_generated = false, saw_storage = false;
  bool reads_host_operands() const override { return false; }
  Availability availability() const override { return {}; }
  std::string device() const override { return "test"; }
  std::string library() const override { return "test"; }
  Support supports(const GemmProblem&, const GemmConfig&) const override { return Support::yes(); }

  std::unique_ptr<GemmOperation> prepare(const GemmProblem& p, const GemmConfig&, const GemmOperands& in) override {
    EXPECT_TRUE(in.seeds.generated);
    (in.a.is_generated() ? saw_generated : saw_storage) = true;
    if (in.a.is_generated()) EXPECT_THROW(in.a.data(), std::logic_error);
    return std::make_unique<Op>(p, in.seeds);
  }

 private:
  struct Op final : GemmOperation {
    GemmProblem p;
    GemmSeeds seeds;
    Op(const GemmProblem& problem, GemmSeeds s) : p(problem), seeds(s) {}
    HostBuffer d;
    void run() override {
      const auto& t = p.types();
      HostBuffer a(t.input, p.a_elements()), b(t.input, p.b_elements()), c(t.output, p.c_elements());
      fill_random(a, seeds.a);
      fill_random(b, seeds.b);
      fill_random(c, seeds.c);
      d = HostBuffer(t.output, p.c_elements());
      const GemmOperands mine{a, b, c};
      for (std::int64_t i = 0; i < p.m; ++i)
        for (std::int64_t j = 0; j < p.n; ++j) d.set(i * p.n + j, gemm_reference_element(p, mine, 0, i, j));
    }
    void read_output(HostBuffer& out) override { out = d; }
    std::string implementation() const override { return "seed-only"; }
  };
};

GemmCase make_case(std::shared_ptr<SeedOnlyBackend> backend, const GemmProblem& p) {
  return GemmCase(CaseId{"gemm", "seed_only", "fp32", "t", "x"}, p, {}, backend, 99, 256);
}

TEST(GemmCase, DeviceStyleBackendGetsGeneratedBuffersWhenTheCheckSamples) {
  auto backend = std::make_shared<SeedOnlyBackend>();
  GemmProblem p;
  p.m = 96;
  p.n = 80;
  p.k = 4096;  // 31 M multiply-adds: above the full-check limit, so the check samples
  p.beta = 0.5;
  p.precision = Precision::bf16;
  ASSERT_FALSE(gemm_check_is_full(p));
  GemmCase c = make_case(backend, p);
  const Prepared prepared = c.prepare();
  EXPECT_TRUE(backend->saw_generated);
  EXPECT_FALSE(backend->saw_storage);
  EXPECT_EQ(prepared.check.mode, "sampled");
  // The reference read A, B and C through the generator: the same values the backend made from the seeds.
  EXPECT_TRUE(prepared.check.passed) << prepared.check.error;
  EXPECT_LT(prepared.check.error, 1e-2);
}

TEST(GemmCase, SmallProblemsAreMaterialisedForTheFullCheck) {
  auto backend = std::make_shared<SeedOnlyBackend>();
  GemmProblem p;
  p.m = p.n = p.k = 32;
  GemmCase c = make_case(backend, p);
  const Prepared prepared = c.prepare();
  EXPECT_TRUE(backend->saw_storage);
  EXPECT_FALSE(backend->saw_generated);
  EXPECT_EQ(prepared.check.mode, "full");
  EXPECT_TRUE(prepared.check.passed) << prepared.check.error;
}

TEST(HostBuffer, GeneratedReadsWhatFillRandomWrites) {
  for (DataType t : {DataType::f32, DataType::f16, DataType::bf16, DataType::f8_e4m3, DataType::f8_e5m2,
                     DataType::s8, DataType::s32, DataType::f64}) {
    HostBuffer filled(t, 4099);
    fill_random(filled, 5);
    const HostBuffer generated = HostBuffer::generated(t, 4099, 5);
    EXPECT_EQ(generated.bytes(), filled.bytes());
    for (std::size_t i = 0; i < filled.count(); ++i) ASSERT_EQ(generated.get(i), filled.get(i)) << to_string(t) << " " << i;
  }
}

}  // namespace
}  // namespace dlbench
