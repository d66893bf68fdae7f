// Conformance: every registered AllReduce backend × every type × reduction × placement on the smoke table, checked
// exactly (every element of every rank). A new backend is tested here without writing a test: register it and it
// appears. Cases a backend declines must say why; an available backend must run fp32 sum.
//
// The binary starts in the process group it was linked with, so ctest runs it both alone and under
// `mpirun -np 2`: every rank runs the same tests in the same order, and the cases' collectives meet.
#include <gtest/gtest.h>

#include <map>

#include "allreduce/allreduce_case.hpp"
#include "allreduce/allreduce_table.hpp"
#include "common/shape_table.hpp"
#include "harness/shape_paths.hpp"

namespace dlbench {
namespace {

ProcessGroup* g_group = nullptr;

struct Param {
  std::string backend, type;
  friend void PrintTo(const Param& p, std::ostream* os) { *os << p.backend << "/" << p.type; }
};

std::vector<Param> all_params() {
  std::vector<Param> out;
  for (const auto& name : Registry<AllReduceBackend>::instance().names())
    for (auto type : allreduce_type_names()) out.push_back({name, std::string(type)});
  return out;
}

std::shared_ptr<AllReduceBackend> backend(const std::string& name) {
  // Leaked on purpose, as in the other conformance tests: communicators and device handles must not be released
  // by a static destructor after MPI or the CUDA runtime has shut down.
  static auto& cache = *new std::map<std::string, std::shared_ptr<AllReduceBackend>>;
  auto& b = cache[name];
  if (!b) {
    BackendSettings s;
    s.group = g_group;
    b = Registry<AllReduceBackend>::instance().create(name, s);
  }
  return b;
}

class AllReduceConformance : public ::testing::TestWithParam<Param> {};

TEST_P(AllReduceConformance, SmokeTableIsExact) {
  const Param& param = GetParam();
  auto b = backend(param.backend);
  const Availability a = b->availability();
  if (!a.available) GTEST_SKIP() << param.backend << " unavailable: " << a.reason;
  const TableRef ref = resolve_table("smoke", "allreduce", "");
  const DataType type = *parse_allreduce_type(param.type);
  int ran = 0;
  for (const auto& row : read_allreduce_rows(ShapeTable::load(ref.path, ref.name)))
    for (ReduceOp op : {ReduceOp::sum, ReduceOp::max, ReduceOp::min, ReduceOp::avg})
      for (bool inplace : {false, true}) {
        const AllReduceProblem p{*row.count_in(type), type, op, inplace};
        CaseId id{"allreduce", param.backend, param.type, "smoke", row.label,
                  std::string(to_string(op)) + (inplace ? "_inplace" : "")};
        AllReduceCase c(id, p, b, *g_group, 99 + row.line);
        SCOPED_TRACE(id.name());
        // Every rank reaches the same verdicts here: support depends only on the problem and the backend.
        const Support s = c.support();
        if (!s.ok) {
          EXPECT_FALSE(s.reason.empty()) << "a declined case must say why";
          continue;
        }
        Prepared prepared = c.prepare();
        ASSERT_TRUE(prepared.op);
        ASSERT_TRUE(prepared.verify) << "the verified call of a collective must wait for every rank";
        const Verification v = prepared.verify();
        EXPECT_EQ(v.wrong, 0);
        EXPECT_TRUE(v.passed) << "error " << v.error << " tolerance " << v.tolerance;
        EXPECT_EQ(v.mode, "full");
        // The calls the timer makes afterwards must run too (in place they reduce what the last call left).
        for (int i = 0; i < 3; ++i) prepared.op->run();
        std::vector<std::byte> out(static_cast<std::size_t>(p.bytes()));
        auto& op = static_cast<AllReduceOperation&>(*prepared.op);
        for (int k = 0; k < b->ranks_per_process(); ++k) op.read_output(k, out.data());
        ++ran;
      }
  if (param.type == "fp32") EXPECT_GT(ran, 0) << "an available backend must run fp32";
}

INSTANTIATE_TEST_SUITE_P(Backends, AllReduceConformance, ::testing::ValuesIn(all_params()),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return info.param.backend + "_" + info.param.type;
                         });
// A build without any allreduce backend still has a test binary that passes.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AllReduceConformance);

}  // namespace
}  // namespace dlbench

int main(int argc, char** argv) {
  auto group = dlbench::make_process_group(argc, argv);
  dlbench::g_group = group.get();
  ::testing::InitGoogleTest(&argc, argv);
  // Every rank runs every test (their collectives meet); only rank 0's report is printed.
  if (!group->is_root()) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int rc = RUN_ALL_TESTS();
  // A rank that failed makes the run fail: every rank returns the worst result.
  return group->max(rc) > 0 ? 1 : 0;
}
