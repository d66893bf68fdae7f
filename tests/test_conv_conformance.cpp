// Conformance: every registered convolution backend × every precision × every direction × both layouts on the
// smoke table, checked element by element against the float64 reference. A new backend is tested here without
// writing a test: register it and it appears. Cases the backend declines must say why; a backend that is
// available must run at least one precision in every direction.
#include <gtest/gtest.h>

#include "common/shape_table.hpp"
#include "conformance_util.hpp"
#include "conv/conv_case.hpp"
#include "conv/conv_table.hpp"
#include "harness/shape_paths.hpp"

namespace dlbench {
namespace {

using conformance::Param;
using conformance::param_name;
constexpr auto all_params = conformance::all_params<ConvBackend>;
constexpr auto backend = conformance::backend<ConvBackend>;

std::vector<ConvTableRow> smoke_rows() {
  const TableRef ref = resolve_table("smoke", "conv", "");
  return read_conv_rows(ShapeTable::load(ref.path, ref.name));
}

constexpr ConvDirection kDirections[] = {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter};

class ConvConformance : public ::testing::TestWithParam<Param> {};

// Every row in every direction, whatever its phase: the table's phases choose what a benchmark run times, while
// conformance is about correctness, and an inference row's shape is as good a backward test as any.
TEST_P(ConvConformance, SmokeTableMatchesReference) {
  const Param& param = GetParam();
  auto b = backend(param.backend);
  const Availability a = b->availability();
  if (!a.available) GTEST_SKIP() << param.backend << " unavailable: " << a.reason;
  int ran = 0;
  for (const auto& row : smoke_rows())
    for (ConvLayout layout : {ConvLayout::nhwc, ConvLayout::nchw})
      for (ConvDirection direction : kDirections) {
        ConvProblem problem = row.problem;
        problem.precision = param.precision;
        problem.layout = layout;
        problem.direction = direction;
        CaseId id{"conv", param.backend, std::string(to_string(param.precision)), "smoke", row.label,
                  std::string(to_string(layout)) + "_" + std::string(to_string(direction))};
        ConvCase c(id, problem, std::string(to_string(row.phase)), b, 1234 + row.line, 512);
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
          // Declined only once the library was asked: a skip with a reason.
          EXPECT_NE(std::string(e.what()), "") << "a declined case must say why";
          continue;
        }
        EXPECT_TRUE(p.check.passed) << "error " << p.check.error << " > tolerance " << p.check.tolerance;
        EXPECT_EQ(p.check.mode, "full");  // smoke problems are small enough to check every element
        EXPECT_FALSE(p.implementation.empty());
        ASSERT_EQ(p.details.size(), 2u);
        EXPECT_EQ(p.details[0].first, "algorithm");
        EXPECT_FALSE(p.details[0].second.empty());
        EXPECT_EQ(p.details[1].first, "workspace_mb");
        ++ran;
      }
  if (ran == 0) GTEST_SKIP() << param.backend << " declines " << to_string(param.precision) << " on this host";
}

TEST(ConvConformanceCoverage, EveryAvailableBackendRunsEveryDirectionInSomePrecision) {
  const auto names = Registry<ConvBackend>::instance().names();
  if (names.empty()) GTEST_SKIP() << "this build has no convolution backend";
  const ConvProblem base = smoke_rows().front().problem;
  for (const auto& name : names) {
    auto b = backend(name);
    if (!b->availability().available) continue;
    for (ConvDirection direction : kDirections) {
      bool any = false;
      for (const auto& p : all_precisions()) {
        ConvProblem problem = base;
        problem.precision = p.precision;
        problem.direction = direction;
        any = any || (!problem.unsupported_reason() && b->supports(problem).ok);
      }
      EXPECT_TRUE(any) << name << " is available but runs no " << to_string(direction) << " precision";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Conv, ConvConformance, ::testing::ValuesIn(all_params()), param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ConvConformance);

}  // namespace
}  // namespace dlbench
