// Conformance: every registered GEMM backend × every precision × the smoke table × both B layouts, checked
// against the float64 reference. A new backend is tested here without writing a test: register it and it appears.
// Cases the backend declines must say why; a backend that is available must run at least one precision.
#include <gtest/gtest.h>

#include "common/shape_table.hpp"
#include "conformance_util.hpp"
#include "gemm/gemm_case.hpp"
#include "gemm/gemm_table.hpp"
#include "harness/shape_paths.hpp"

namespace dlbench {
namespace {

using conformance::Param;
using conformance::param_name;
constexpr auto all_params = conformance::all_params<GemmBackend>;
constexpr auto backend = conformance::backend<GemmBackend>;

std::vector<GemmTableRow> smoke_rows() {
  const TableRef ref = resolve_table("smoke", "gemm", "");
  return read_gemm_rows(ShapeTable::load(ref.path, ref.name));
}

class Conformance : public ::testing::TestWithParam<Param> {};

TEST_P(Conformance, SmokeTableMatchesReference) {
  const Param& param = GetParam();
  auto b = backend(param.backend);
  const Availability a = b->availability();
  if (!a.available) GTEST_SKIP() << param.backend << " unavailable: " << a.reason;
  int ran = 0;
  for (const auto& row : smoke_rows()) {
    for (BLayout layout : {BLayout::plain, BLayout::packed}) {
      GemmProblem problem = row.problem;
      problem.precision = param.precision;
      CaseId id{"gemm", param.backend, std::string(to_string(param.precision)), "smoke", row.label,
                to_string(layout)};
      GemmCase c(id, problem, GemmConfig{layout}, b, 1234 + row.line, 512);
      SCOPED_TRACE(id.name() + " " + problem.to_string());
      const Support s = c.support();
      if (!s.ok) {
        EXPECT_FALSE(s.reason.empty()) << "a declined case must say why";
        continue;
      }
      Prepared p;
      try {
        p = c.prepare();
      } catch (const Unsupported& e) {
        // Declined only once the library was asked (e.g. no algorithm for an odd alignment): a skip with a reason.
        EXPECT_NE(std::string(e.what()), "") << "a declined case must say why";
        continue;
      }
      EXPECT_TRUE(p.check.passed) << "error " << p.check.error << " > tolerance " << p.check.tolerance;
      EXPECT_EQ(p.check.mode, "full");  // smoke problems are small enough to check every element
      EXPECT_FALSE(p.implementation.empty());
      ++ran;
    }
  }
  if (ran == 0) GTEST_SKIP() << param.backend << " declines " << to_string(param.precision) << " on this host";
}

TEST(ConformanceCoverage, EveryAvailableBackendRunsSomePrecision) {
  const auto names = Registry<GemmBackend>::instance().names();
  if (names.empty()) GTEST_SKIP() << "this build has no GEMM backend";
  const auto rows = smoke_rows();
  for (const auto& name : names) {
    auto b = backend(name);
    if (!b->availability().available) continue;
    bool any = false;
    for (const auto& p : all_precisions()) {
      GemmProblem problem = rows.front().problem;
      problem.precision = p.precision;
      any = any || b->supports(problem, {}).ok;
    }
    EXPECT_TRUE(any) << name << " is available but runs no precision";
  }
}

INSTANTIATE_TEST_SUITE_P(Gemm, Conformance, ::testing::ValuesIn(all_params()), param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

}  // namespace
}  // namespace dlbench
