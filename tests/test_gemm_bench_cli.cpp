// gemm_bench as a user runs it: exit codes, error messages, the CSV and JSON it writes. Also runs
// faulty_gemm_bench (a backend that is wrong on purpose) to check that one bad case fails the row and the exit
// code while every other case still runs and is written.
#include "cli_util.hpp"
#include "common/shape_table.hpp"

namespace dlbench {
namespace {

using namespace dlbench::cli;

bool no_backend() { return built_without_backends(GEMM_BENCH, "gemm"); }
#define REQUIRE_ONEDNN() DLBENCH_REQUIRE_ONEDNN(GEMM_BENCH)

TEST(GemmBenchCli, SmokeFp32WritesVerifiedRows) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "smoke.csv";
  const Outcome r = run(GEMM_BENCH, "--benchmark_filter=gemm/onednn/fp32/ --shapes=smoke --csv=" + csv.string() + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::vector<std::string> header;
  const auto rows = read_csv(csv, &header);
  ASSERT_EQ(rows.size(), 11u);  // every row of shapes/gemm/smoke.csv
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("name").rfind("gemm/onednn/fp32/smoke/", 0), 0u) << row.at("name");
    EXPECT_EQ(row.at("status"), "ok") << row.at("name") << ": " << row.at("reason");
    EXPECT_EQ(row.at("verified"), "true");
    EXPECT_LE(std::stod(row.at("error")), std::stod(row.at("tolerance")));
    EXPECT_GT(std::stod(row.at("tflops")), 0);
    EXPECT_GT(std::stod(row.at("time_ms")), 0);
    EXPECT_LE(std::stod(row.at("time_ms_min")), std::stod(row.at("time_ms")));
    EXPECT_GE(std::stod(row.at("time_ms_max")), std::stod(row.at("time_ms")));
    EXPECT_NE(row.at("library").find("oneDNN"), std::string::npos);
    EXPECT_FALSE(row.at("implementation").empty());
    EXPECT_NE(r.out.find(row.at("name")), std::string::npos) << "console and CSV names differ";
    // flops and bytes agree with the shape columns (MEASURE.md §3, fp32: 4 bytes per element)
    const double m = std::stod(row.at("m")), n = std::stod(row.at("n")), k = std::stod(row.at("k")),
                 b = std::stod(row.at("batch")), beta = std::stod(row.at("beta"));
    EXPECT_DOUBLE_EQ(std::stod(row.at("flops")), 2 * m * n * k * b);
    EXPECT_DOUBLE_EQ(std::stod(row.at("bytes")), b * 4 * (m * k + k * n + m * n * (beta != 0 ? 2 : 1)));
  }
  EXPECT_NE(r.err.find("[11/11]"), std::string::npos) << "progress line missing: " << r.err;
}

TEST(GemmBenchCli, AllPrecisionsSkipWithReasonsAndNeverFail) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "all.csv";
  const Outcome r = run(GEMM_BENCH, "--shapes=smoke --b_layout=both --csv=" + csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  int ok = 0, skipped = 0;
  for (const auto& row : read_csv(csv)) {
    ASSERT_NE(row.at("status"), "failed") << row.at("name") << ": " << row.at("reason");
    if (row.at("status") == "skipped") {
      ++skipped;
      EXPECT_FALSE(row.at("reason").empty()) << row.at("name");
    } else {
      ++ok;
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(skipped, 0);  // fp8 at least: oneDNN 2.6 has no fp8 types
}

TEST(GemmBenchCli, SingleProblemAndJsonNamesMatchCsv) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "one.csv", json = temp_dir() / "one.json";
  const Outcome r = run(GEMM_BENCH, "--problem=m64n48k32_tn_fp32_beta1" + kOneDnn + "--csv=" + csv.string() +
                                    " --benchmark_out=" + json.string() + " --benchmark_out_format=json" + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("name"), "gemm/onednn/fp32/cli/m64n48k32_tn_beta1");
  EXPECT_EQ(rows[0].at("problem"), "m64n48k32_tn_fp32_beta1");
  EXPECT_EQ(rows[0].at("status"), "ok");
  EXPECT_NE(slurp(json).find("\"name\": \"gemm/onednn/fp32/cli/m64n48k32_tn_beta1\""), std::string::npos);
}

TEST(GemmBenchCli, RepetitionsGiveOneRowEach) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "rep.csv";
  const Outcome r = run(GEMM_BENCH, "--problem=m32n32k32_nn_fp32 --benchmark_repetitions=2" + kOneDnn + "--csv=" + csv.string() + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("repetition"), "0");
  EXPECT_EQ(rows[1].at("repetition"), "1");
}

TEST(GemmBenchCli, ListShowsStatusWithoutRunning) {
  REQUIRE_ONEDNN();
  const Outcome r = run(GEMM_BENCH, "--list --shapes=smoke --precisions=fp32,fp8e4m3" + kOneDnn);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("gemm/onednn/fp32/smoke/"), std::string::npos);
  EXPECT_NE(r.out.find("runnable"), std::string::npos);
  EXPECT_NE(r.out.find("skipped: oneDNN 2.6 has no f8_e4m3"), std::string::npos);
}

TEST(GemmBenchCli, ListTestsPrintsCanonicalNames) {
  REQUIRE_ONEDNN();
  const Outcome r = run(GEMM_BENCH, "--benchmark_list_tests --shapes=smoke --benchmark_filter=int8/.*odd_tn" + kOneDnn);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "gemm/onednn/int8/smoke/smoke/odd_tn/m33n67k129\n");
}

struct BadInput {
  std::string args, message;
};

TEST(GemmBenchCli, BadInputNamesFileLineFieldOrFlag) {
  if (no_backend()) GTEST_SKIP() << "built without backends";
  const std::string header = "label,m,n,k,trans_a,trans_b\n";
  const auto negative = write_table("negative.csv", "# comment\n" + header + "x/ok/a,8,8,8,n,n\nx/bad/b,-8,8,8,n,n\n");
  const auto letters = write_table("letters.csv", header + "x/a,8,eight,8,n,n\n");
  const auto transpose = write_table("transpose.csv", header + "x/a,8,8,8,n,q\n");
  const auto missing = write_table("missing.csv", "label,m,n,trans_a,trans_b\nx/a,8,8,n,n\n");
  const auto empty = write_table("empty.csv", "");
  const std::vector<BadInput> cases{
      {"--shapes=" + negative.string(), negative.string() + ":4: field 'm': must be positive, got -8"},
      {"--shapes=" + letters.string(), letters.string() + ":2: field 'n': expected a positive integer, got 'eight'"},
      {"--shapes=" + transpose.string(), transpose.string() + ":2: field 'trans_b': unknown value 'q' (valid: n, t)"},
      {"--shapes=" + missing.string(), missing.string() + ":1: missing column 'k'"},
      {"--shapes=" + empty.string(), empty.string() + ": empty shape table"},
      {"--shapes=no_such_table", "--shapes: unknown gemm table 'no_such_table' (valid: "},
      {"--precisions=fp33", "--precisions: unknown precision 'fp33' (valid: fp32, tf32, fp16, bf16"},
      {"--backends=nope", "--backends: unknown backend 'nope' (built into this binary: "},
      {"--problem=m8n8k8_nx", "--problem: 'm8n8k8_nx': expected transposes nn, nt, tn or tt"},
      {"--b_layout=tiled", "--b_layout: unknown value 'tiled' (valid: plain|packed|both)"},
      {"--threads=0", "--threads: must be at least 1"},
      {"--cache=warm", "--cache: unknown value 'warm' (valid: auto|cold|hot)"},
      {"--autotune=-1", "--autotune: must be at least 0"},
      {"--bogus", "unknown flag --bogus"},
  };
  for (const auto& c : cases) {
    const Outcome r = run(GEMM_BENCH, c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n  expected: " << c.message
                                                         << "\n  got: " << r.err;
  }
}

TEST(GemmBenchCli, FilterMatchingNothingFails) {
  if (no_backend()) GTEST_SKIP() << "built without backends";
  const Outcome r = run(GEMM_BENCH, "--shapes=smoke --benchmark_filter=no-such-case" + kFast);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no case matched"), std::string::npos) << r.err;
}

TEST(GemmBenchCli, HelpListsFlags) {
  expect_help_lists(GEMM_BENCH, {"--shapes=LIST", "--backends=LIST", "--precisions=LIST", "--problem=LIST",
                                 "--list", "--csv=FILE", "--threads=N", "--b_layout=", "--cache=", "--autotune=N",
                                 "--workspace_mb=N", "--device=N", "--benchmark_filter"});
}

TEST(GemmBenchCli, CacheModeIsChosenAndRecorded) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "cache.csv";
  // Default on the CPU: hot, calls batched into samples. Cold: one call per sample, caches flushed before it.
  Outcome r = run(GEMM_BENCH, "--problem=m16n16k16_nn_fp32" + kOneDnn + "--csv=" + csv.string() + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("cache"), "hot");
  EXPECT_GT(std::stoi(rows[0].at("runs_per_sample")), 1);
  EXPECT_EQ(rows[0].at("clock_mhz"), "");  // the host timer measures no clock
  EXPECT_EQ(rows[0].at("throttled"), "");
  r = run(GEMM_BENCH, "--problem=m16n16k16_nn_fp32 --cache=cold" + kOneDnn + "--csv=" + csv.string() + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("cache"), "cold");
  EXPECT_EQ(rows[0].at("runs_per_sample"), "1");
}

// The cuBLAS backend, whichever machine this runs on: without a usable GPU every case is skipped with the reason
// --list gives and the run succeeds; with one, the smoke table runs verified in its default cold mode.
TEST(CublasBackend, RunsOrSkipsWithTheReasonNeverFails) {
  const std::string line = backend_line(GEMM_BENCH, "cublas");
  if (line.empty()) GTEST_SKIP() << "this build has no cuBLAS backend";
  const fs::path csv = temp_dir() / "cublas.csv";
  const Outcome r = run(GEMM_BENCH, "--backends=cublas --shapes=smoke --precisions=fp32,bf16,fp8e4m3 --csv=" +
                                        csv.string() + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 33u);
  const bool unavailable = line.rfind("unavailable: ", 0) == 0;
  int ok = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("library").rfind("cuBLASLt ", 0), 0u) << row.at("library");
    EXPECT_NE(row.at("status"), "failed") << row.at("name") << ": " << row.at("reason");
    if (unavailable) {
      EXPECT_EQ(row.at("status"), "skipped");
      EXPECT_EQ(row.at("reason"), line.substr(13));
      EXPECT_EQ(row.at("device"), "CUDA device 0 (unavailable)");
    } else if (row.at("status") == "ok") {
      ++ok;
      EXPECT_EQ(row.at("cache"), "cold");
      EXPECT_EQ(row.at("verified"), "true");
      EXPECT_FALSE(row.at("clock_mhz").empty());
      EXPECT_EQ(row.at("implementation").rfind("algo ", 0), 0u) << row.at("implementation");
    }
  }
  if (!unavailable) EXPECT_GT(ok, 0);
}

TEST(FaultyBackend, WrongResultFailsRowAndExitCodeOthersStillRun) {
  const fs::path csv = temp_dir() / "faulty.csv";
  const Outcome r = run(FAULTY_GEMM_BENCH, "--shapes=smoke --precisions=fp32 --csv=" + csv.string() + kFast);
  EXPECT_EQ(r.code, 1) << r.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 11u) << "every case must be written, failed or not";
  std::map<std::string, Row> by_m;
  for (const auto& row : rows) by_m[row.at("m")] = row;
  EXPECT_EQ(by_m.at("33").at("status"), "failed");
  EXPECT_NE(by_m.at("33").at("reason").find("verification failed"), std::string::npos);
  EXPECT_EQ(by_m.at("33").at("verified"), "false");
  EXPECT_EQ(by_m.at("17").at("status"), "failed");
  EXPECT_NE(by_m.at("17").at("reason").find("simulated library error"), std::string::npos);
  EXPECT_EQ(by_m.at("1").at("status"), "skipped");
  EXPECT_EQ(by_m.at("1").at("reason"), "simulated late refusal");
  EXPECT_EQ(by_m.at("96").at("status"), "failed");
  EXPECT_EQ(by_m.at("96").at("reason"), "error while timing: simulated failure while timing");
  EXPECT_EQ(by_m.at("96").at("verified"), "true");  // it failed after a correct verified call
  int ok = 0;
  for (const auto& row : rows) ok += row.at("status") == "ok";
  EXPECT_EQ(ok, 7);
  EXPECT_NE(r.out.find("failed: verification failed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("7 ok, 1 skipped, 3 failed"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dlbench
