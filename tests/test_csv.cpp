// The CSV file is an interface people build spreadsheets on: its quoting and its column names are tested here.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/input_error.hpp"
#include "gemm/gemm_case.hpp"
#include "harness/case_runner.hpp"
#include "harness/csv_writer.hpp"

namespace dlbench {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Csv, EscapesPerRfc4180) {
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_escape("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv_escape(" padded"), "\" padded\"");
  EXPECT_EQ(csv_escape(""), "");
}

TEST(Csv, WritesHeaderAndRowsInColumnOrderWithCrlf) {
  const std::string path = (std::filesystem::temp_directory_path() / "dlbench_test_csv.csv").string();
  {
    CsvWriter w(path, {"name", "device", "time_ms"});
    w.write({{"time_ms", "1.5"}, {"name", "gemm/x"}, {"device", "Xeon, 2 threads"}});
    w.write({{"name", "gemm/y"}});  // unset columns stay empty
  }
  EXPECT_EQ(read_file(path), "name,device,time_ms\r\ngemm/x,\"Xeon, 2 threads\",1.5\r\ngemm/y,,\r\n");
  std::remove(path.c_str());
}

TEST(Csv, UnknownColumnIsAProgrammingError) {
  const std::string path = (std::filesystem::temp_directory_path() / "dlbench_test_csv2.csv").string();
  CsvWriter w(path, {"name"});
  EXPECT_THROW(w.write({{"nmae", "x"}}), std::logic_error);
  std::remove(path.c_str());
}

TEST(Csv, UnwritablePathIsAnInputErrorNamingTheFlag) {
  try {
    CsvWriter w("/nonexistent-dir/out.csv", {"name"});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--csv: cannot write '/nonexistent-dir/out.csv'"), std::string::npos);
  }
}

// The documented GEMM columns, in order. Changing this list breaks users' spreadsheets: do it on purpose only,
// and say so in the README.
TEST(Csv, GemmColumnsAreTheDocumentedInterface) {
  const std::vector<std::string> expected{
      "name",   "kernel",  "backend", "precision", "table",    "label",          "device",    "library",
      "m",      "n",       "k",       "trans_a",   "trans_b",  "batch",          "alpha",     "beta",
      "b_layout", "problem", "flops", "bytes",     "time_ms",  "time_ms_min",    "time_ms_max", "samples",
      "cov_pct", "tflops", "gbps",    "intensity",
      // The roofline (target/roofline.hpp).
      "target", "peak_source", "peak_tflops", "peak_gbps", "ridge", "bound", "roof_tflops", "roofline_pct",
      "spec_peak_tflops", "spec_peak_gbps", "spec_roof_tflops", "spec_roofline_pct", "above_roof",
      "error",    "tolerance",      "verified",  "verify_mode",
      "status", "reason",  "implementation", "threads", "runs_per_sample", "cache", "clock_mhz",
      "throttled", "converged", "repetition"};
  EXPECT_EQ(csv_columns(GemmCase::column_names()), expected);
}

}  // namespace
}  // namespace dlbench
