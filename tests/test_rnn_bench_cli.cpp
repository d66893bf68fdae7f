// rnn_bench as a user runs it: --list, a smoke run whose CSV has every row verified and the RNN columns in order
// (both FLOP conventions), a sampled check of a larger problem, --problem with and without its optional tokens,
// --passes, and the exit code and message of bad flags, bad tables and unknown backends.
#include <cmath>
#include <set>

#include "cli_util.hpp"
#include "common/shape_table.hpp"
#include "harness/case_runner.hpp"
#include "harness/shape_paths.hpp"
#include "rnn/rnn_case.hpp"
#include "rnn/rnn_table.hpp"

namespace dlbench {
namespace {

using namespace dlbench::cli;
using cli::Outcome;  // not the harness's tally of the same name

bool no_backend() { return built_without_backends(RNN_BENCH, "rnn"); }
#define REQUIRE_ONEDNN() DLBENCH_REQUIRE_ONEDNN(RNN_BENCH)

std::vector<RnnTableRow> smoke_rows() {
  const TableRef ref = resolve_table("smoke", "rnn", "");
  return read_rnn_rows(ShapeTable::load(ref.path, ref.name));
}

// Cases of one precision on the smoke table: two passes per training row, one per inference row.
std::size_t smoke_cases() {
  std::size_t n = 0;
  for (const auto& row : smoke_rows()) n += phase_passes(row.phase).size();
  return n;
}

TEST(RnnBenchCli, ListShowsEveryCaseWithItsStatus) {
  REQUIRE_ONEDNN();
  const Outcome r = run(RNN_BENCH, "--list --shapes=smoke" + kOneDnn);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = smoke_rows();
  for (const auto& row : rows)
    for (RnnPass pass : phase_passes(row.phase))
      EXPECT_NE(r.out.find("rnn/onednn/fp32/smoke/" + row.label + "/" + std::string(to_string(pass))),
                std::string::npos)
          << row.label;
  EXPECT_NE(r.out.find("runnable"), std::string::npos);
  EXPECT_NE(r.out.find("skipped: RNNs in int8 need per-tensor quantisation scales"), std::string::npos);
  // Every skip says why.
  std::stringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line))
    if (line.find("skipped") != std::string::npos) EXPECT_NE(line.find("skipped: "), std::string::npos) << line;
}

TEST(RnnBenchCli, SmokeRunWritesVerifiedRowsWithBothFlopConventions) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "rnn_smoke.csv";
  const Outcome r = run(RNN_BENCH, "--shapes=smoke --precisions=fp32,bf16 --csv=" + csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::vector<std::string> header;
  const auto rows = read_csv(csv, &header);
  EXPECT_EQ(header, csv_columns(RnnCase::column_names()));
  EXPECT_EQ(RnnCase::column_names(),
            (std::vector<std::string>{"cell", "hidden", "input", "batch", "steps", "layers", "direction", "phase",
                                      "pass", "algorithm", "workspace_mb", "flops_convention", "flops_deepbench",
                                      "tflops_deepbench", "problem"}));
  ASSERT_EQ(rows.size(), 2 * smoke_cases());
  std::set<std::string> passes, cells;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("name"));
    EXPECT_EQ(row.at("status"), "ok") << row.at("reason");
    EXPECT_EQ(row.at("verified"), "true");
    EXPECT_EQ(row.at("verify_mode"), "full");
    EXPECT_LE(num(row, "error"), num(row, "tolerance"));
    EXPECT_GT(num(row, "time_ms"), 0);
    EXPECT_NE(r.out.find(row.at("name")), std::string::npos) << "console and CSV names differ";
    EXPECT_EQ(row.at("name"), "rnn/onednn/" + row.at("precision") + "/smoke/" + row.at("label") + "/" +
                                  row.at("pass"));
    // The columns agree with the canonical name.
    const RnnProblem p = RnnProblem::parse(row.at("problem"));
    EXPECT_EQ(row.at("cell"), std::string(to_string(p.cell)));
    EXPECT_EQ(row.at("pass"), std::string(to_string(p.pass)));
    EXPECT_EQ(row.at("direction"), p.bidirectional ? "bi" : "uni");
    EXPECT_EQ(num(row, "hidden"), p.hidden);
    EXPECT_EQ(num(row, "layers"), p.layers);
    const auto phase_of = parse_phase(row.at("phase"));
    ASSERT_TRUE(phase_of.has_value());
    const auto allowed = phase_passes(*phase_of);
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), p.pass), allowed.end()) << "a pass its phase does not run";
    // Full layer: 2·G·N·(I_l + H)·H·T per layer and direction, twice for training_bwd; DeepBench: 2·G·N·H²·T
    // (+ N·H·T for the vanilla cells), likewise. Written out here from the columns, not from RnnProblem.
    const double G = p.cell == RnnCell::lstm ? 4 : p.cell == RnnCell::gru ? 3 : 1;
    const double N = num(row, "batch"), H = num(row, "hidden"), T = num(row, "steps"), D = p.bidirectional ? 2 : 1;
    double full = 0;
    for (std::int64_t l = 0; l < p.layers; ++l) full += 2 * G * N * ((l == 0 ? num(row, "input") : D * H) + H) * H * T;
    double deepbench = (2 * G * N * H * H * T + (G == 1 ? N * H * T : 0)) * static_cast<double>(p.layers);
    const double pass_factor = p.pass == RnnPass::training_bwd ? 2 : 1;
    EXPECT_DOUBLE_EQ(num(row, "flops"), full * D * pass_factor);
    EXPECT_DOUBLE_EQ(num(row, "flops_deepbench"), deepbench * D * pass_factor);
    EXPECT_EQ(row.at("flops_convention"), "full_layer");
    // Both throughputs come from the same median time.
    EXPECT_NEAR(num(row, "tflops_deepbench") / num(row, "tflops"), num(row, "flops_deepbench") / num(row, "flops"),
                1e-3 * num(row, "flops_deepbench") / num(row, "flops"));
    EXPECT_FALSE(row.at("algorithm").empty());
    EXPECT_GE(num(row, "workspace_mb"), 0);
    EXPECT_FALSE(row.at("implementation").empty());
    passes.insert(row.at("pass"));
    cells.insert(row.at("cell"));
  }
  EXPECT_EQ(passes.size(), 3u);
  EXPECT_EQ(cells.size(), 4u);
}

TEST(RnnBenchCli, EveryPrecisionRunsOrSkipsWithAReason) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "rnn_all.csv";
  const Outcome r = run(RNN_BENCH, "--shapes=smoke --csv=" + csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(csv);
  EXPECT_EQ(rows.size(), 7 * smoke_cases());
  int ok = 0;
  for (const auto& row : rows) {
    ASSERT_NE(row.at("status"), "failed") << row.at("name") << ": " << row.at("reason");
    if (row.at("status") == "skipped") {
      EXPECT_FALSE(row.at("reason").empty()) << row.at("name");
      EXPECT_EQ(row.at("tflops_deepbench"), "") << row.at("name");
    } else {
      ++ok;
    }
  }
  EXPECT_GT(ok, 0);
}

TEST(RnnBenchCli, LargeProblemIsCheckedOnASampleOfTheBatch) {
  REQUIRE_ONEDNN();
  const fs::path csv = temp_dir() / "rnn_large.csv";
  const Outcome r = run(RNN_BENCH, "--problem=lstm_h256i128n64t16_uni --precisions=fp32 --csv=" + csv.string() +
                                       kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 3u);  // no --passes and no pass in the string: all three
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("name"));
    EXPECT_EQ(row.at("status"), "ok") << row.at("reason");
    EXPECT_EQ(row.at("verify_mode"), "sampled");
    EXPECT_LE(num(row, "error"), num(row, "tolerance"));
  }
}

TEST(RnnBenchCli, PassesAndProblemsSelectCases) {
  REQUIRE_ONEDNN();
  Outcome r = run(RNN_BENCH, "--benchmark_list_tests --shapes=smoke --precisions=fp32 --passes=training_bwd" + kOneDnn);
  ASSERT_EQ(r.code, 0) << r.err;
  std::size_t training = 0;
  for (const auto& row : smoke_rows()) training += row.phase == Phase::training;
  std::stringstream lines(r.out);
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(line.ends_with("/training_bwd")) << line;
    ++n;
  }
  EXPECT_EQ(n, training);

  const fs::path csv = temp_dir() / "rnn_problem.csv";
  r = run(RNN_BENCH, "--problem=gru_h8i5n3t4l2_bi_training_bwd_fp32 --csv=" + csv.string() + kOneDnn + kFast);
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("name"), "rnn/onednn/fp32/cli/gru_h8i5n3t4l2_bi/training_bwd");
  EXPECT_EQ(rows[0].at("problem"), "gru_h8i5n3t4l2_bi_training_bwd_fp32");
  EXPECT_EQ(rows[0].at("table"), "cli");
  EXPECT_EQ(rows[0].at("phase"), "");
  EXPECT_EQ(rows[0].at("status"), "ok") << rows[0].at("reason");
  // A named pass that --passes leaves out runs nothing, and says so.
  r = run(RNN_BENCH, "--problem=gru_h8i5n3t4_inference --passes=training_fwd" + kOneDnn);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--problem: no case left after --precisions and --passes"), std::string::npos) << r.err;
}

struct BadInput {
  std::string args, message;
};

TEST(RnnBenchCli, BadInputExitsTwoNamingFileLineFieldOrFlag) {
  if (no_backend()) GTEST_SKIP() << "built without backends";
  const std::string header = "label,cell,hidden,input,batch,steps,phase,layers,direction\n";
  const auto no_steps = write_table("no_steps.csv", "label,cell,hidden,input,batch,phase\nm/a,lstm,4,4,2,training\n");
  const auto bad_cell = write_table("bad_cell.csv", "# c\n" + header + "m/a,lstm,4,4,2,3,training,1,uni\n"
                                                                       "m/b,rnn,4,4,2,3,training,1,uni\n");
  const auto zero = write_table("zero.csv", header + "m/a,gru,0,4,2,3,training,1,uni\n");
  const auto direction = write_table("direction.csv", header + "m/a,gru,4,4,2,3,training,1,both\n");
  const auto inference = write_table("inference.csv", header + "m/a,gru,4,4,2,3,inference,,\n");
  const std::vector<BadInput> cases{
      {"--shapes=" + no_steps.string(), no_steps.string() + ":1: missing column 'steps'"},
      {"--shapes=" + bad_cell.string(),
       bad_cell.string() + ":4: field 'cell': unknown value 'rnn' (valid: rnn_relu, rnn_tanh, lstm, gru)"},
      {"--shapes=" + zero.string(), zero.string() + ":2: field 'hidden'"},
      {"--shapes=" + direction.string(), direction.string() + ":2: field 'direction': unknown value 'both'"},
      {"--shapes=" + inference.string() + " --passes=training_bwd",
       "--passes: no case left (training rows run training_fwd and training_bwd, inference rows inference)"},
      {"--shapes=no_such_table", "--shapes: unknown rnn table 'no_such_table' (valid: "},
      {"--passes=sideways", "--passes: unknown value 'sideways' (valid: inference, training_fwd, training_bwd)"},
      {"--precisions=fp33", "--precisions: unknown precision 'fp33'"},
      {"--backends=nope", "--backends: unknown backend 'nope' (built into this binary: "},
      {"--problem=lstm_h4i4n2", "--problem: 'lstm_h4i4n2': missing 't'"},
      {"--problem=lstm_h4i4n2t3x2", "--problem: 'lstm_h4i4n2t3x2': unknown token 'x'"},
      {"--problem=conv_h4i4n2t3", "--problem: 'conv_h4i4n2t3': expected the cell first"},
      {"--problem=lstm_h4i4n2t3_fwd_fp32 --precisions=bf16", "--problem: 'lstm_h4i4n2t3_fwd_fp32': unexpected"},
      {"--problem=lstm_h4i4n2t3_uni_inference_fp32 --precisions=bf16",
       "--problem: no case left after --precisions and --passes"},
      {"--bogus", "unknown flag --bogus"},
  };
  for (const auto& c : cases) {
    const Outcome r = run(RNN_BENCH, c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n  expected: " << c.message
                                                         << "\n  got: " << r.err;
  }
}

TEST(RnnBenchCli, FilterMatchingNothingFails) {
  if (no_backend()) GTEST_SKIP() << "built without backends";
  const Outcome r = run(RNN_BENCH, "--shapes=smoke --benchmark_filter=no-such-case" + kFast);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no case matched"), std::string::npos) << r.err;
}

TEST(RnnBenchCli, HelpListsTheRnnFlags) {
  expect_help_lists(RNN_BENCH, {"--shapes=LIST", "--backends=LIST", "--precisions=LIST", "--problem=LIST",
                                "--passes=LIST", "--csv=FILE", "--list", "--threads=N"});
}

}  // namespace
}  // namespace dlbench
