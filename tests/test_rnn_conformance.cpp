// Conformance: every registered RNN backend × every precision × every pass on the smoke table, checked against the
// float64 reference over the whole batch. A new backend is tested here without writing a test: register it and it
// appears. Cases the backend declines must say why; a backend that is available must run every cell in every pass
// in some precision.
#include <gtest/gtest.h>

#include "common/shape_table.hpp"
#include "conformance_util.hpp"
#include "harness/shape_paths.hpp"
#include "rnn/rnn_case.hpp"
#include "rnn/rnn_table.hpp"

namespace dlbench {
namespace {

using conformance::Param;
using conformance::param_name;
constexpr auto all_params = conformance::all_params<RnnBackend>;
constexpr auto backend = conformance::backend<RnnBackend>;

std::vector<RnnTableRow> smoke_rows() {
  const TableRef ref = resolve_table("smoke", "rnn", "");
  return read_rnn_rows(ShapeTable::load(ref.path, ref.name));
}

constexpr RnnPass kPasses[] = {RnnPass::inference, RnnPass::training_fwd, RnnPass::training_bwd};
constexpr RnnCell kCells[] = {RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru};

class RnnConformance : public ::testing::TestWithParam<Param> {};

// Every row in every pass, whatever its phase: the phase chooses what a benchmark run times, while conformance is
// about correctness.
TEST_P(RnnConformance, SmokeTableMatchesReference) {
  const Param& param = GetParam();
  auto b = backend(param.backend);
  const Availability a = b->availability();
  if (!a.available) GTEST_SKIP() << param.backend << " unavailable: " << a.reason;
  int ran = 0;
  for (const auto& row : smoke_rows())
    for (RnnPass pass : kPasses) {
      RnnProblem problem = row.problem;
      problem.precision = param.precision;
      problem.pass = pass;
      CaseId id{"rnn", param.backend, std::string(to_string(param.precision)), "smoke", row.label,
                std::string(to_string(pass))};
      RnnCase c(id, problem, std::string(to_string(row.phase)), b, 1234 + row.line);
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
        EXPECT_NE(std::string(e.what()), "") << "a declined case must say why";
        continue;
      }
      EXPECT_TRUE(p.check.passed) << "error " << p.check.error << " > tolerance " << p.check.tolerance;
      EXPECT_EQ(p.check.mode, "full");  // smoke problems are small enough to check the whole batch
      EXPECT_FALSE(p.implementation.empty());
      ASSERT_EQ(p.details.size(), 2u);
      EXPECT_EQ(p.details[0].first, "algorithm");
      EXPECT_FALSE(p.details[0].second.empty());
      EXPECT_EQ(p.details[1].first, "workspace_mb");
      // The timed call repeats the verified one: run it again and it must still work (training_bwd zeroes its
      // weight gradients before each call, so a second call is not a different computation).
      EXPECT_NO_THROW(p.op->run());
      ++ran;
    }
  if (ran == 0) GTEST_SKIP() << param.backend << " declines " << to_string(param.precision) << " on this host";
}

TEST(RnnConformanceCoverage, SmokeTableCoversEveryCellBothDirectionsAndStacks) {
  const auto rows = smoke_rows();
  for (RnnCell cell : kCells) {
    bool found = false;
    for (const auto& row : rows) found = found || row.problem.cell == cell;
    EXPECT_TRUE(found) << to_string(cell);
  }
  bool bi = false, stacked = false, narrow = false;
  for (const auto& row : rows) {
    bi = bi || row.problem.bidirectional;
    stacked = stacked || row.problem.layers > 1;
    narrow = narrow || row.problem.input != row.problem.hidden;
  }
  EXPECT_TRUE(bi && stacked && narrow);
}

TEST(RnnConformanceCoverage, EveryAvailableBackendRunsEveryCellAndPassInSomePrecision) {
  const auto names = Registry<RnnBackend>::instance().names();
  if (names.empty()) GTEST_SKIP() << "this build has no RNN backend";
  for (const auto& name : names) {
    auto b = backend(name);
    if (!b->availability().available) continue;
    for (RnnCell cell : kCells)
      for (RnnPass pass : kPasses) {
        bool any = false;
        for (const auto& p : all_precisions()) {
          RnnProblem problem;
          problem.cell = cell;
          problem.pass = pass;
          problem.precision = p.precision;
          any = any || (!problem.unsupported_reason() && b->supports(problem).ok);
        }
        EXPECT_TRUE(any) << name << " is available but runs no " << to_string(cell) << " " << to_string(pass);
      }
  }
}

INSTANTIATE_TEST_SUITE_P(Rnn, RnnConformance, ::testing::ValuesIn(all_params()), param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RnnConformance);

}  // namespace
}  // namespace dlbench
