// allreduce_bench as a user runs it: one process (one rank, busbw 0), and under mpirun where MPI is found: 2 ranks
// writing each case once (rank 0's rows only) with every figure consistent with nccl-tests' formulas, 4 ranks,
// every MPI reduction, a mismatched MPMD launch stopping every rank, the Google Benchmark JSON, --sweep and
// --problem, and bad input exiting 2 on every rank without a hang. Every mpirun runs under `timeout 60`, so a hang
// fails the test instead of stalling CI. The binary itself is single-process where MPI is not found, and then has
// no MPI backend: the mpirun cases skip, and the one-process case checks that the binary says so.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include "allreduce/allreduce_case.hpp"
#include "allreduce/allreduce_problem.hpp"
#include "cli_util.hpp"
#include "harness/case_runner.hpp"

namespace dlbench {
namespace {

using namespace dlbench::cli;
using cli::Outcome;  // not the harness's tally of the same name

const std::string kBench = ALLREDUCE_BENCH;
// The MPI backend only: a CUDA build also has NCCL, whose placement (one device per rank) is not what these test.
const std::string kMpi = " --backends=mpi ";

#ifdef MPIEXEC
constexpr bool kHaveMpi = true;
const std::string kMpiexec = MPIEXEC;
#else
constexpr bool kHaveMpi = false;
const std::string kMpiexec = "mpiexec";  // never run: every test that would skips first
#endif
#define REQUIRE_MPI() \
  if (!kHaveMpi) GTEST_SKIP() << "built without MPI"

// Open MPI refuses to run as root (CI containers) and to start more ranks than cores unless told; other launchers
// (MPICH's hydra) reject those flags, so they are given to Open MPI only.
bool open_mpi() {
  static const bool yes = [] {
    const Outcome r = run(kMpiexec, "--version");
    return (r.out + r.err).find("Open MPI") != std::string::npos ||
           (r.out + r.err).find("OpenRTE") != std::string::npos;
  }();
  return yes;
}

std::string launcher_flags(int ranks) {
  if (!open_mpi()) return "";
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::string(" --allow-run-as-root") + (ranks > cores ? " --oversubscribe" : "");
}

// `mpiexec -np <ranks> allreduce_bench` under `timeout 60`, to which run() appends the arguments.
std::string mpirun(int ranks) {
  return "timeout 60 " + kMpiexec + launcher_flags(ranks) + " -np " + std::to_string(ranks) + " " + kBench;
}

// The names of the cases `args` selects, from --benchmark_list_tests in one process.
std::vector<std::string> case_names(const std::string& args) {
  const Outcome r = run(kBench, "--benchmark_list_tests " + args + kMpi);
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<std::string> names;
  std::stringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line))
    if (!line.empty()) names.push_back(line);
  return names;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// Console lines whose first field is exactly `name`.
std::size_t console_lines_of(const std::string& out, const std::string& name) {
  std::size_t n = 0;
  std::stringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) n += line.rfind(name + " ", 0) == 0;
  return n;
}

std::size_t element_size(const std::string& type) {
  return type == "fp64" ? 8 : type == "fp16" || type == "bf16" ? 2 : 4;
}

void expect_near_rel(double got, double want, double rel, const std::string& what) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << what;
}

// What every ok row run on `ranks` ranks must satisfy: verified with no wrong element, and its figures consistent
// with each other and with nccl-tests' formulas, written out here from the columns.
void check_ok_row(const Row& row, int ranks) {
  SCOPED_TRACE(row.at("name"));
  ASSERT_EQ(row.at("status"), "ok") << row.at("reason");
  EXPECT_EQ(num(row, "ranks"), ranks);
  EXPECT_EQ(row.at("wrong"), "0");
  EXPECT_EQ(row.at("verified"), "true");
  EXPECT_EQ(row.at("verify_mode"), "full");
  EXPECT_EQ(num(row, "error"), 0);
  EXPECT_EQ(num(row, "tolerance"), 0);  // sum, max, min: exact
  EXPECT_EQ(row.at("buffers"), "host");
  EXPECT_EQ(row.at("gpus_per_process"), "0");
  // The columns agree with the canonical name and with each other.
  const AllReduceProblem p = AllReduceProblem::parse(row.at("problem"));
  EXPECT_EQ(num(row, "count"), p.count);
  EXPECT_EQ(row.at("op"), std::string(to_string(p.op)));
  EXPECT_EQ(row.at("inplace"), p.inplace ? "true" : "false");
  EXPECT_EQ(row.at("precision"), std::string(allreduce_type_name(p.type)));
  EXPECT_EQ(row.at("name"), "allreduce/mpi/" + row.at("precision") + "/" + row.at("table") + "/" + row.at("label") +
                                "/" + row.at("op") + (p.inplace ? "_inplace" : ""));
  const double bytes = num(row, "bytes");
  EXPECT_EQ(bytes, num(row, "count") * static_cast<double>(element_size(row.at("precision"))));
  EXPECT_EQ(num(row, "flops"), (ranks - 1) * num(row, "count"));
  // algbw = S / t in decimal GB/s, busbw = algbw · 2(n−1)/n; the harness's GB/s is the same S / t.
  const double seconds = num(row, "time_ms") * 1e-3;
  ASSERT_GT(seconds, 0);
  const double algbw = num(row, "algbw_gbps");
  expect_near_rel(algbw, bytes / seconds / 1e9, 1e-6, "algbw");
  expect_near_rel(num(row, "busbw_gbps"), algbw * 2.0 * (ranks - 1) / ranks, 1e-9, "busbw");
  expect_near_rel(num(row, "gbps"), algbw, 1e-9, "gbps");
  // Each rank's own median time is at most the row's, which is sample by sample the slowest rank's.
  const double lo = num(row, "time_ms_rank_min"), avg = num(row, "time_ms_rank_avg"),
               hi = num(row, "time_ms_rank_max");
  EXPECT_GT(lo, 0);
  EXPECT_LE(lo, avg * (1 + 1e-9));
  EXPECT_LE(avg, hi * (1 + 1e-9));
  EXPECT_LE(hi, num(row, "time_ms") * (1 + 1e-9));
  EXPECT_NE(row.at("device").find(std::to_string(ranks) + " ranks on 1 host"), std::string::npos)
      << row.at("device");
  EXPECT_EQ(row.at("reason").find("one rank"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------------------------
// One process

TEST(AllReduceBenchCli, HelpListsTheAllReduceFlags) {
  expect_help_lists(kBench, {"--ops=LIST", "--inplace=both|false|true", "--sweep=MIN:MAX:FACTOR", "--gpus=N",
                             "--shapes=LIST", "--precisions=LIST", "--problem=LIST", "--csv=FILE"});
}

TEST(AllReduceBenchCli, OneProcessIsOneRankWithBusbwZero) {
  if (!kHaveMpi) {
    // Built without MPI there is no MPI backend (and without CUDA no backend at all): the binary must say so and
    // exit 2, not run nothing and report success.
    const Outcome missing = run(kBench, "--shapes=smoke --precisions=fp32" + kMpi + kFast);
    EXPECT_EQ(missing.code, 2);
    EXPECT_NE(missing.err.find("--backends: unknown backend 'mpi'"), std::string::npos) << missing.err;
    const Outcome any = run(kBench, "--list --shapes=smoke");
    if (any.err.find("built without any allreduce backend") != std::string::npos) EXPECT_EQ(any.code, 2);
    return;
  }
  const fs::path csv = temp_dir() / "allreduce_one.csv";
  const Outcome r = run(kBench, "--shapes=smoke --precisions=fp32 --csv=" + csv.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::vector<std::string> header;
  const auto rows = read_csv(csv, &header);
  EXPECT_EQ(header, csv_columns(AllReduceCase::column_names()));
  ASSERT_EQ(rows.size(), 10u);  // 5 smoke rows × out of place and in place
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("name"));
    EXPECT_EQ(row.at("status"), "ok") << row.at("reason");
    EXPECT_EQ(row.at("ranks"), "1");
    EXPECT_EQ(row.at("wrong"), "0");
    EXPECT_EQ(row.at("verified"), "true");
    EXPECT_EQ(num(row, "busbw_gbps"), 0);
    EXPECT_GT(num(row, "algbw_gbps"), 0);
    EXPECT_EQ(num(row, "flops"), 0);  // nothing to add with one rank
    EXPECT_NE(row.at("reason").find("one rank: busbw is 0"), std::string::npos) << row.at("reason");
    // With one rank the spread across ranks is the row's own time.
    EXPECT_EQ(row.at("time_ms_rank_min"), row.at("time_ms_rank_max"));
    expect_near_rel(num(row, "time_ms_rank_avg"), num(row, "time_ms"), 1e-9, "rank avg");
  }
}

TEST(AllReduceBenchCli, ABytesRowThatIsNoWholeNumberOfElementsIsSkippedForThatTypeOnly) {
  REQUIRE_MPI();
  const auto table = write_table("allreduce_twelve.csv", "label,bytes\nm/twelve,12\n");
  const fs::path csv = temp_dir() / "allreduce_twelve_out.csv";
  const Outcome r = run(kBench, "--shapes=" + table.string() + " --precisions=fp32,fp16,fp64 --inplace=false --csv=" +
                                    csv.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::map<std::string, Row> by_type;
  for (const auto& row : read_csv(csv)) by_type[row.at("precision")] = row;
  ASSERT_EQ(by_type.size(), 3u);
  EXPECT_EQ(by_type["fp32"].at("status"), "ok");
  EXPECT_EQ(by_type["fp32"].at("count"), "3");
  EXPECT_EQ(by_type["fp32"].at("bytes"), "12");
  EXPECT_EQ(by_type["fp16"].at("status"), "skipped");  // MPI has no fp16, but the size was fine: 6 elements
  EXPECT_EQ(by_type["fp16"].at("count"), "6");
  EXPECT_EQ(by_type["fp64"].at("status"), "skipped");
  EXPECT_EQ(by_type["fp64"].at("reason"), "12 bytes is not a whole number of 8-byte elements");
}

// ---------------------------------------------------------------------------------------------------------------
// Under mpirun

TEST(AllReduceBenchCli, TwoRanksWriteEachCaseOnceVerifiedWithConsistentFigures) {
  REQUIRE_MPI();
  const std::string args = "--shapes=smoke --ops=sum,avg";
  const auto names = case_names(args);
  ASSERT_EQ(names.size(), 100u);  // 5 sizes × 5 types × 2 reductions × 2 placements
  const fs::path csv = temp_dir() / "allreduce_two.csv";
  const Outcome r = run(mpirun(2), args + " --csv=" + csv.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  std::vector<std::string> header;
  const auto rows = read_csv(csv, &header);
  EXPECT_EQ(header, csv_columns(AllReduceCase::column_names()));
  // Each case exactly once: rank 1 writes nothing, and no rank runs a case twice.
  std::multiset<std::string> written;
  for (const auto& row : rows) written.insert(row.at("name"));
  EXPECT_EQ(written, std::multiset<std::string>(names.begin(), names.end()));
  for (const auto& name : names) EXPECT_EQ(console_lines_of(r.out, name), 1u) << name;
  EXPECT_EQ(occurrences(r.err, "dlbench: 30 ok, 70 skipped, 0 failed"), 1u) << r.err;

  int ok = 0;
  std::set<std::string> types_run;
  for (const auto& row : rows) {
    const std::string& type = row.at("precision");
    if (row.at("status") == "ok") {
      ++ok;
      types_run.insert(type);
      check_ok_row(row, 2);
      continue;
    }
    SCOPED_TRACE(row.at("name"));
    EXPECT_EQ(row.at("status"), "skipped");
    // MPI has no 16-bit floating-point datatype and no average: skipped, saying which.
    if (type == "fp16" || type == "bf16")
      EXPECT_EQ(row.at("reason"), "MPI has no " + type + " datatype");
    else
      EXPECT_EQ(row.at("reason"), "MPI has no avg reduction");
    EXPECT_TRUE(type == "fp16" || type == "bf16" || row.at("op") == "avg");
    EXPECT_EQ(row.at("algbw_gbps"), "");
    EXPECT_EQ(row.at("wrong"), "");
  }
  EXPECT_EQ(ok, 30);  // fp32, fp64, int32 × 5 sizes × sum × 2 placements
  EXPECT_EQ(types_run, (std::set<std::string>{"fp32", "fp64", "int32"}));
}

TEST(AllReduceBenchCli, FourRanksScaleBusbwByOneAndAHalf) {
  REQUIRE_MPI();
  const fs::path csv = temp_dir() / "allreduce_four.csv";
  const Outcome r = run(mpirun(4), "--shapes=smoke --precisions=fp32 --csv=" + csv.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 10u);
  for (const auto& row : rows) {
    check_ok_row(row, 4);
    expect_near_rel(num(row, "busbw_gbps"), 1.5 * num(row, "algbw_gbps"), 1e-9, row.at("name"));
  }
}

TEST(AllReduceBenchCli, EveryMpiReductionIsExact) {
  REQUIRE_MPI();
  const fs::path csv = temp_dir() / "allreduce_ops.csv";
  const Outcome r =
      run(mpirun(2), "--shapes=smoke --precisions=fp32,int32 --ops=sum,max,min --csv=" + csv.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 60u);  // 5 sizes × 2 types × 3 reductions × 2 placements
  std::map<std::string, int> per_op;
  for (const auto& row : rows) {
    check_ok_row(row, 2);
    ++per_op[row.at("op")];
  }
  EXPECT_EQ(per_op, (std::map<std::string, int>{{"max", 20}, {"min", 20}, {"sum", 20}}));
}

TEST(AllReduceBenchCli, RanksStartedWithDifferentArgumentsAllStop) {
  REQUIRE_MPI();
  // An MPMD launch giving rank 0 one table and rank 1 another: left alone, the ranks would build different cases
  // and wait in different collectives forever.
  const std::string one = " --shapes=smoke" + kMpi, other = " --shapes=sweep" + kMpi;
  const auto start = std::chrono::steady_clock::now();
  const Outcome r =
      run("timeout 60 " + kMpiexec + launcher_flags(2) + " -np 1 " + kBench + one + " : -np 1 " + kBench + other, "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.code, 124) << "hung until the timeout";
  EXPECT_NE(r.code, 0);
  EXPECT_LT(seconds, 30);
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("ranks were started with different arguments"), std::string::npos) << all;
  EXPECT_NE(all.find("rank 0: '--shapes=smoke --backends=mpi"), std::string::npos) << all;
  EXPECT_NE(all.find("rank 1: '--shapes=sweep --backends=mpi"), std::string::npos) << all;
  EXPECT_EQ(occurrences(r.err, "different arguments"), 1u) << "only rank 0 reports";
}

TEST(AllReduceBenchCli, BenchmarkJsonListsEachCaseOnce) {
  REQUIRE_MPI();
  const std::string args = "--shapes=smoke --precisions=fp32,fp16 --inplace=false";
  const auto names = case_names(args);
  ASSERT_EQ(names.size(), 10u);
  const fs::path json = temp_dir() / "allreduce.json";
  fs::remove(json);
  const Outcome r = run(mpirun(2), args + " --benchmark_out=" + json.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const std::string text = slurp(json);
  ASSERT_FALSE(text.empty()) << "no JSON written";
  EXPECT_NE(text.find("\"dlbench.processes\": \"2 ranks on 1 host"), std::string::npos);
  for (const auto& name : names) EXPECT_EQ(occurrences(text, "\"name\": \"" + name + "\""), 1u) << name;
  // The kernel's figures are Google Benchmark counters too, on every measured run.
  EXPECT_EQ(occurrences(text, "\"algbw_gbps\": "), 5u);
  EXPECT_EQ(occurrences(text, "\"busbw_gbps\": "), 5u);
  EXPECT_EQ(occurrences(text, "\"wrong\": 0"), 5u);
  EXPECT_EQ(occurrences(text, "\"error_message\": \"skipped: MPI has no fp16 datatype\""), 5u);
}

TEST(AllReduceBenchCli, SweepAndProblemNameTheSizes) {
  REQUIRE_MPI();
  const fs::path csv = temp_dir() / "allreduce_sweep.csv";
  Outcome r = run(mpirun(2), "--sweep=8:64:2 --precisions=fp32 --inplace=false --csv=" + csv.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 4u);
  const char* labels[] = {"sweep/8B", "sweep/16B", "sweep/32B", "sweep/64B"};
  for (std::size_t i = 0; i < 4; ++i) {
    check_ok_row(rows[i], 2);
    EXPECT_EQ(rows[i].at("table"), "sweep");
    EXPECT_EQ(rows[i].at("label"), labels[i]);
    EXPECT_EQ(num(rows[i], "bytes"), 8 << i);
    EXPECT_EQ(num(rows[i], "count"), 2 << i);
  }

  r = run(mpirun(2), "--problem=n1001_max_inplace_int32 --csv=" + csv.string() + kMpi + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 1u);
  check_ok_row(rows[0], 2);
  EXPECT_EQ(rows[0].at("name"), "allreduce/mpi/int32/cli/n1001_max_inplace_int32/max_inplace");
  EXPECT_EQ(rows[0].at("problem"), "n1001_max_inplace_int32");
}

struct BadInput {
  std::string args, message;
  bool after_backends = true;  // reported only once the backends are chosen: needs the MPI backend to get there
  // Also run on 2 ranks: one of each path an error takes there (flag parsing, building the cases, rank 0's table
  // read and broadcast to the others); the rest would only add seconds of mpirun start-up.
  bool two_ranks = false;
};

TEST(AllReduceBenchCli, BadInputExitsTwoNamingTheFlagOnEveryRank) {
  const auto bad_table = write_table("allreduce_bad.csv", "label,bytes,count\nm/a,8,\nm/b,8,2\n");
  const std::vector<BadInput> cases{
      {"--ops=prod", "--ops: unknown reduction 'prod' (valid: sum, max, min, avg)", false, true},
      {"--precisions=fp8", "--precisions: 'fp8' is not an allreduce type (valid: fp32, fp16, bf16, fp64, int32)",
       false},
      {"--inplace=maybe", "--inplace: unknown value 'maybe'", false, true},
      {"--problem=n8_sum_fp32 --sweep=8:64:2", "--sweep and --problem both name the sizes to run: give one", false},
      {"--sweep=8:4:2", "--sweep: '8:4:2': MAX is smaller than MIN", true, true},
      {"--sweep=8:64:1", "--sweep: '8:64:1': the factor must be an integer of at least 2"},
      {"--sweep=8:1X:2", "--sweep: '1X' is not a size"},
      {"--problem=n8_prod_fp32", "--problem: 'n8_prod_fp32': unknown reduction"},
      {"--problem=n8_sum_fp32 --precisions=fp16", "--problem: no case left after --precisions, --ops and --inplace"},
      {"--shapes=" + bad_table.string(), bad_table.string() + ":3: field 'count': give exactly one of 'bytes' and "
                                                              "'count' (both given)",
       true, true},
      {"--shapes=no_such_table", "--shapes: unknown allreduce table 'no_such_table'", true, true},
  };
  int checked = 0;
  for (int ranks : {1, 2})
    for (const auto& c : cases) {
      if (!kHaveMpi && (ranks > 1 || c.after_backends)) continue;  // without MPI, the missing backend comes first
      if (ranks > 1 && !c.two_ranks) continue;
      SCOPED_TRACE(std::to_string(ranks) + " rank(s): " + c.args);
      const Outcome r = run(ranks == 1 ? kBench : mpirun(ranks), c.args + kMpi);
      EXPECT_EQ(r.code, 2);
      EXPECT_NE(r.err.find(c.message), std::string::npos) << "expected: " << c.message << "\n  got: " << r.err;
      EXPECT_EQ(occurrences(r.err, ": error: "), 1u) << "only rank 0 reports: " << r.err;
      ++checked;
    }
  EXPECT_GE(checked, 4);
}

}  // namespace
}  // namespace dlbench
