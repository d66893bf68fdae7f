// peak_bench as a user runs it: it measures the CPU (triad, FMA loops), writes a measured target file, and a later
// run places its rows under that roof, whether the file is named with --target or found in the target directory.
#include <gtest/gtest.h>

#include "cli_util.hpp"
#include "target/target.hpp"

namespace dlbench {
namespace {

using namespace cli;

// Small arrays and short timing: the figures are not what these tests check.
const std::string kSmall = kFast + " --backends=cpu --probes=bandwidth,fma --bandwidth_mb=8 --threads=1 ";

fs::path dir_for(const std::string& name) {
  const fs::path d = temp_dir() / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(PeakBenchCli, HelpListsItsFlags) {
  expect_help_lists(PEAK_BENCH, {"--probes", "--gemm_sizes", "--bandwidth_mb", "--target_out", "--target"});
}

TEST(PeakBenchCli, ListShowsEachDevicesTarget) {
  const Outcome r = run(PEAK_BENCH, "--backends=cpu --list");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Targets (from built-in spec table"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  cpu-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("spec computed from /proc/cpuinfo"), std::string::npos) << r.out;
}

TEST(PeakBenchCli, MeasuresTheCpuAndWritesATargetALaterRunUses) {
  const fs::path d = dir_for("measure");
  const fs::path target = d / "mine.csv";
  const Outcome r = run(PEAK_BENCH, kSmall + "--csv=" + (d / "peak.csv").string() + " --target_out=" + target.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("written to " + target.string()), std::string::npos) << r.err;
  const auto rows = read_csv(d / "peak.csv");
  ASSERT_EQ(rows.size(), 3u);  // triad fp64, fma fp32, fma fp64
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("status"), "ok") << row.at("name") << ": " << row.at("reason");
    EXPECT_EQ(row.at("verified"), "true") << row.at("name");
    EXPECT_EQ(row.at("kernel"), "peak");
    EXPECT_FALSE(row.at("target").empty());
  }
  EXPECT_EQ(rows[0].at("probe"), "triad");
  EXPECT_EQ(rows[0].at("measures"), "bandwidth");
  EXPECT_EQ(rows[0].at("bound"), "");  // this first run has no bandwidth for the CPU yet: no roof

  const auto targets = load_targets(target.string());
  ASSERT_EQ(targets.size(), 1u);
  const Target& t = targets[0];
  EXPECT_EQ(t.source, "measured");
  EXPECT_EQ(t.kind, "cpu");
  EXPECT_EQ(t.units, 1);
  EXPECT_GT(t.memory_gbps, 0);
  EXPECT_GT(t.peak("fp32"), 0);
  EXPECT_GT(t.peak("fp64"), 0);
  EXPECT_NEAR(t.memory_gbps, num(rows[0], "gbps"), 0.001 * t.memory_gbps);
  EXPECT_EQ(t.id, rows[0].at("target"));

  // The same probes again, under the measured roof: each row is now placed, near 100 % of the ceiling it set.
  const Outcome again = run(PEAK_BENCH, kSmall + "--csv=" + (d / "again.csv").string() + " --target=" +
                                            target.string() + " --target_out=none");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_FALSE(fs::exists(d / "none"));
  for (const auto& row : read_csv(d / "again.csv")) {
    EXPECT_EQ(row.at("peak_source"), "measured") << row.at("name");
    EXPECT_FALSE(row.at("roofline_pct").empty()) << row.at("name");
    EXPECT_GT(num(row, "roofline_pct"), 10) << row.at("name");
    EXPECT_EQ(row.at("bound"), row.at("probe") == "triad" ? "memory" : "compute") << row.at("name");
  }
}

TEST(PeakBenchCli, TheTargetDirectoryIsWrittenAndReadByDefault) {
  const fs::path d = dir_for("default_dir");
  const std::string env = "DLBENCH_TARGET_DIR=" + (d / "targets").string() + " ";
  const Outcome r = run(env + PEAK_BENCH, kSmall);
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(std::distance(fs::directory_iterator(d / "targets"), fs::directory_iterator{}), 1);
  const Outcome again = run(env + PEAK_BENCH, kSmall + "--probes=fma --target_out=none --csv=" + (d / "b.csv").string());
  ASSERT_EQ(again.code, 0) << again.err;
  for (const auto& row : read_csv(d / "b.csv")) EXPECT_EQ(row.at("peak_source"), "measured") << row.at("name");
}

TEST(PeakBenchCli, BadInputIsAClearError) {
  const fs::path d = dir_for("bad");
  std::ofstream(d / "broken.csv") << "id,name,match,kind,source\nx,X,pci:10de:1,gpu,maybe\n";
  Outcome r = run(PEAK_BENCH, kSmall + "--target=" + (d / "broken.csv").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("broken.csv:2: field 'source'"), std::string::npos) << r.err;
  r = run(PEAK_BENCH, kSmall + "--target=" + (d / "missing.csv").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing.csv: cannot read"), std::string::npos) << r.err;
  r = run(PEAK_BENCH, kSmall + "--probes=fma,warp");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--probes: unknown probe 'warp'"), std::string::npos) << r.err;
  r = run(PEAK_BENCH, kSmall + "--precisions=fp128");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--precisions: unknown precision 'fp128'"), std::string::npos) << r.err;
  r = run(PEAK_BENCH, "--backends=nonesuch --list");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown backend 'nonesuch'"), std::string::npos) << r.err;
}

TEST(PeakBenchCli, NothingMeasuredIsAFailureAndWritesNothing) {
  const fs::path d = dir_for("nothing");
  // fp16 has no CPU probe: every case is filtered out and Google Benchmark runs nothing.
  const Outcome r = run(PEAK_BENCH, kSmall + "--precisions=fp16 --target_out=" + (d / "t.csv").string());
  EXPECT_NE(r.code, 0);
  EXPECT_FALSE(fs::exists(d / "t.csv"));
}

}  // namespace
}  // namespace dlbench
