// conv_bench as a user runs it: --list, a smoke run whose CSV has every row verified and the convolution columns
// in order, --problem with and without its optional tokens, the --directions and --layouts flags, and the exit
// code and message of bad flags, bad tables and unknown backends.
#include <cmath>
#include <set>

#include "cli_util.hpp"
#include "common/shape_table.hpp"
#include "conv/conv_case.hpp"
#include "conv/conv_problem.hpp"
#include "harness/case_runner.hpp"

namespace dlbench {
namespace {

using namespace dlbench::cli;
using cli::Outcome;  // not the harness's tally of the same name

bool no_backend() { return built_without_backends(CONV_BENCH, "conv"); }
#define REQUIRE_ONEDNN() DLBENCH_REQUIRE_ONEDNN(CONV_BENCH)

TEST(ConvBenchCli, ListShowsEveryCaseWithItsStatus) {
  REQUIRE_ONEDNN();
  const Outcome r = run(CONV_BENCH, "--list --shapes=smoke" + kOneDnn);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("conv/onednn/fp32/smoke/smoke/pad1_3x3/training_b2/nhwc_bwd_filter"), std::string::npos);
  EXPECT_NE(r.out.find("runnable"), std::string::npos);
  EXPECT_NE(r.out.find("skipped: oneDNN 2.6 has no tf32 math mode"), std::string::npos);
  EXPECT_NE(r.out.find("skipped: oneDNN 2.6 has no f8_e4m3 data type"), std::string::npos);
  EXPECT_NE(r.out.find("skipped: int8 is an inference precision: no bwd_data convolution"), std::string::npos);
  // Inference rows run fwd only; the default layout is nhwc.
  EXPECT_NE(r.out.find("smoke/stem_7x7_s2/inference_b1/nhwc_fwd"), std::string::npos);
  EXPECT_EQ(r.out.find("smoke/stem_7x7_s2/inference_b1/nhwc_bwd"), std::string::npos);
  EXPECT_EQ(r.out.find("nchw_"), std::string::npos);
}

TEST(ConvBenchCli, SmokeRunWritesVerifiedRowsWithTheConvColumns) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "conv_smoke.csv";
  const Outcome r =
      run(CONV_BENCH, "--shapes=smoke --precisions=fp32,bf16 --csv=" + csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::vector<std::string> header;
  const auto rows = read_csv(csv, &header);
  EXPECT_EQ(header, csv_columns(ConvCase::column_names()));
  EXPECT_EQ(ConvCase::column_names(),
            (std::vector<std::string>{"n", "c", "h", "w", "k", "r", "s", "p", "q", "pad_h", "pad_w", "stride_h",
                                      "stride_w", "dil_h", "dil_w", "groups", "layout", "direction", "phase",
                                      "algorithm", "workspace_mb", "problem"}));
  // shapes/conv/smoke.csv: 11 training rows × 3 directions + 3 inference rows, in two precisions.
  ASSERT_EQ(rows.size(), 2u * (11 * 3 + 3));
  std::set<std::string> directions;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("name"));
    EXPECT_EQ(row.at("status"), "ok") << row.at("reason");
    EXPECT_EQ(row.at("verified"), "true");
    EXPECT_EQ(row.at("verify_mode"), "full");
    EXPECT_LE(num(row, "error"), num(row, "tolerance"));
    EXPECT_GT(num(row, "time_ms"), 0);
    EXPECT_GT(num(row, "tflops"), 0);
    EXPECT_NE(r.out.find(row.at("name")), std::string::npos) << "console and CSV names differ";
    // The name and the columns agree.
    EXPECT_EQ(row.at("name"), "conv/onednn/" + row.at("precision") + "/smoke/" + row.at("label") + "/" +
                                  row.at("layout") + "_" + row.at("direction"));
    EXPECT_EQ(row.at("label").substr(row.at("label").rfind('/') + 1), row.at("phase") + "_b" + row.at("n"));
    const ConvProblem p = ConvProblem::parse(row.at("problem"));
    const std::vector<std::pair<std::string, std::int64_t>> geometry{
        {"n", p.n},         {"c", p.c},         {"h", p.h},         {"w", p.w},         {"k", p.k},
        {"r", p.r},         {"s", p.s},         {"p", p.p()},       {"q", p.q()},       {"pad_h", p.pad_h},
        {"pad_w", p.pad_w}, {"stride_h", p.stride_h}, {"stride_w", p.stride_w}, {"dil_h", p.dil_h},
        {"dil_w", p.dil_w}, {"groups", p.groups}};
    for (const auto& [column, value] : geometry) EXPECT_EQ(row.at(column), std::to_string(value)) << column;
    EXPECT_EQ(std::string(to_string(p.direction)), row.at("direction"));
    EXPECT_EQ(std::string(to_string(p.layout)), row.at("layout"));
    // flops = 2·N·K·P·Q·(C/G)·R·S in every direction; bytes = two inputs read and the output written once.
    const double flops = 2 * num(row, "n") * num(row, "k") * num(row, "p") * num(row, "q") *
                         (num(row, "c") / num(row, "groups")) * num(row, "r") * num(row, "s");
    EXPECT_DOUBLE_EQ(num(row, "flops"), flops);
    const double elements = num(row, "n") * num(row, "c") * num(row, "h") * num(row, "w") +
                            num(row, "k") * num(row, "c") / num(row, "groups") * num(row, "r") * num(row, "s") +
                            num(row, "n") * num(row, "k") * num(row, "p") * num(row, "q");
    EXPECT_DOUBLE_EQ(num(row, "bytes"), elements * (row.at("precision") == "fp32" ? 4 : 2));
    EXPECT_EQ(row.at("algorithm").rfind("direct, ", 0), 0u) << row.at("algorithm");
    EXPECT_GE(num(row, "workspace_mb"), 0);
    EXPECT_FALSE(row.at("implementation").empty());
    directions.insert(row.at("direction"));
  }
  EXPECT_EQ(directions.size(), 3u);
  EXPECT_NE(r.err.find("[72/72]"), std::string::npos) << "progress line missing: " << r.err;
}

TEST(ConvBenchCli, EveryPrecisionAndLayoutRunsOrSkipsWithAReason) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "conv_all.csv";
  const Outcome r = run(CONV_BENCH, "--shapes=smoke --layouts=nhwc,nchw --csv=" + csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(csv);
  EXPECT_EQ(rows.size(), 7u * 2 * (11 * 3 + 3));
  int ok = 0;
  for (const auto& row : rows) {
    ASSERT_NE(row.at("status"), "failed") << row.at("name") << ": " << row.at("reason");
    if (row.at("status") == "skipped") {
      EXPECT_FALSE(row.at("reason").empty()) << row.at("name");
      EXPECT_EQ(row.at("algorithm"), "");
    } else {
      ++ok;
    }
  }
  EXPECT_GT(ok, 0);
}

TEST(ConvBenchCli, DirectionsAndLayoutsSelectCases) {
  REQUIRE_ONEDNN();
  Outcome r = run(CONV_BENCH, "--benchmark_list_tests --shapes=smoke --precisions=fp32 --directions=bwd_filter "
                              "--layouts=nchw" + kOneDnn);
  ASSERT_EQ(r.code, 0) << r.err;
  std::stringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(line.ends_with("/nchw_bwd_filter")) << line;
    ++n;
  }
  EXPECT_EQ(n, 11);  // the training rows; inference rows have no bwd_filter
  // --benchmark_filter on the direction gives the same cases.
  r = run(CONV_BENCH, "--benchmark_list_tests --shapes=smoke --precisions=fp32 --layouts=nchw,nhwc "
                      "--benchmark_filter=nchw_bwd_filter" + kOneDnn);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(static_cast<int>(std::count(r.out.begin(), r.out.end(), '\n')), 11);
}

TEST(ConvBenchCli, ProblemTakesCanonicalStringsWithOptionalTokens) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "conv_problem.csv";
  // Fully specified: one case.
  Outcome r = run(CONV_BENCH, "--problem=n2c8h10w10k16r3s3p1u2g2_nchw_bwd_data_fp32 --csv=" + csv.string() +
                                  kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("name"), "conv/onednn/fp32/cli/n2c8h10w10k16r3s3p1u2g2/nchw_bwd_data");
  EXPECT_EQ(rows[0].at("problem"), "n2c8h10w10k16r3s3p1u2g2_nchw_bwd_data_fp32");
  EXPECT_EQ(rows[0].at("table"), "cli");
  EXPECT_EQ(rows[0].at("phase"), "");
  EXPECT_EQ(rows[0].at("status"), "ok") << rows[0].at("reason");
  EXPECT_EQ(rows[0].at("p"), "5");
  // The shape alone: every direction (--directions' default) in the default layout, in the chosen precision.
  r = run(CONV_BENCH, "--problem=n1c4h9w7k8r3s1ph1pw0 --precisions=bf16 --csv=" + csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("layout"), "nhwc");
    EXPECT_EQ(row.at("precision"), "bf16");
    EXPECT_EQ(row.at("status"), "ok") << row.at("reason");
  }
  // A named layout overrides --layouts' default, and --directions filters the rest.
  r = run(CONV_BENCH, "--problem=n1c4h9w7k8r3s3p1_nchw --precisions=fp32 --directions=fwd,bwd_filter --csv=" +
                          csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("name"), "conv/onednn/fp32/cli/n1c4h9w7k8r3s3p1u1/nchw_fwd");
  EXPECT_EQ(rows[1].at("name"), "conv/onednn/fp32/cli/n1c4h9w7k8r3s3p1u1/nchw_bwd_filter");
}

struct BadInput {
  std::string args, message;
};

TEST(ConvBenchCli, BadInputExitsTwoNamingFileLineFieldOrFlag) {
  if (no_backend()) GTEST_SKIP() << "built without backends";
  const std::string header = "label,n,c,h,w,k,r,s,pad,stride,groups,phase\n";
  const auto no_phase = write_table("no_phase.csv", "label,n,c,h,w,k,r,s\nm/a/x,1,4,8,8,4,3,3\n");
  const auto bad_phase = write_table("bad_phase.csv", "# c\n" + header + "m/a/x,1,4,8,8,4,3,3,1,1,1,serving\n");
  const auto negative = write_table("negative.csv", header + "m/a/x,1,4,8,8,4,3,3,-1,1,1,training\n");
  const auto groups = write_table("groups.csv", header + "m/a/x,1,6,8,8,6,3,3,1,1,4,training\n");
  const auto inference = write_table("inference.csv", header + "m/a/x,1,4,8,8,4,3,3,1,1,1,inference\n");
  const std::vector<BadInput> cases{
      {"--shapes=" + no_phase.string(), no_phase.string() + ":1: missing column 'phase'"},
      {"--shapes=" + bad_phase.string(),
       bad_phase.string() + ":3: field 'phase': unknown value 'serving' (valid: training, inference)"},
      {"--shapes=" + negative.string(), negative.string() + ":2: field 'pad': must not be negative, got -1"},
      {"--shapes=" + groups.string(), groups.string() + ":2: field 'groups': 4 must divide both c=6 and k=6"},
      {"--shapes=" + inference.string() + " --directions=bwd_data",
       "--directions: no case left (inference rows run fwd only)"},
      {"--shapes=no_such_table", "--shapes: unknown conv table 'no_such_table' (valid: "},
      {"--directions=sideways", "--directions: unknown value 'sideways' (valid: fwd, bwd_data, bwd_filter)"},
      {"--layouts=chwn", "--layouts: unknown value 'chwn' (valid: nhwc, nchw)"},
      {"--precisions=fp33", "--precisions: unknown precision 'fp33'"},
      {"--backends=nope", "--backends: unknown backend 'nope' (built into this binary: "},
      {"--problem=n1c1h1w1k1r1s1x2", "--problem: 'n1c1h1w1k1r1s1x2': unknown token 'x'"},
      {"--problem=n1c6h4w4k6r1s1g4", "--problem: 'n1c6h4w4k6r1s1g4': channels (c=6, k=6) not divisible by groups=4"},
      {"--problem=n1c4h2w2k4r3s3", "--problem: 'n1c4h2w2k4r3s3': empty output"},
      {"--problem=n1c4h8w8k4r3s3_fwd_fp32 --precisions=bf16",
       "--problem: no case left after --precisions, --layouts and --directions"},
      {"--problem=n1c4h8w8k4r3s3_nchw --layouts=nhwc",
       "--problem: no case left after --precisions, --layouts and --directions"},
      {"--bogus", "unknown flag --bogus"},
  };
  for (const auto& c : cases) {
    const Outcome r = run(CONV_BENCH, c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n  expected: " << c.message
                                                         << "\n  got: " << r.err;
  }
}

TEST(ConvBenchCli, FilterMatchingNothingFails) {
  if (no_backend()) GTEST_SKIP() << "built without backends";
  const Outcome r = run(CONV_BENCH, "--shapes=smoke --benchmark_filter=no-such-case" + kFast);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no case matched"), std::string::npos) << r.err;
}

TEST(ConvBenchCli, HelpListsTheConvFlags) {
  expect_help_lists(CONV_BENCH, {"--shapes=LIST", "--backends=LIST", "--precisions=LIST", "--problem=LIST",
                                 "--directions=LIST", "--layouts=LIST", "--csv=FILE", "--list", "--threads=N"});
}

}  // namespace
}  // namespace dlbench
