// The oneDNN RNN backend against the float64 reference: every cell × pass × {fp32, bf16} on small problems that
// take each way the backend maps a stack onto oneDNN primitives (one primitive; layer 0 then the rest; one
// bidirectional primitive per layer), full-batch checks, repeatable gradients, gradients restricted to a subset of
// the batch, and the reasons given for the precisions it does not run.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "harness/backend.hpp"
#include "rnn/rnn_backend.hpp"
#include "rnn/rnn_data.hpp"
#include "rnn/rnn_reference.hpp"

namespace dlbench {
namespace {

struct Shape {
  const char* name;
  std::int64_t hidden, input, batch, steps, layers;
  bool bidirectional;
};

// Small enough for a full check of every entry; I ≠ H where the mapping depends on it.
constexpr Shape kShapes[] = {
    {"uni1", 8, 6, 2, 3, 1, false},     // one primitive, one layer
    {"bi2", 8, 12, 3, 4, 2, true},      // one bidirectional primitive per layer; layer 1 reads 2H
    {"uni3_eq", 8, 8, 2, 3, 3, false},  // I = H: the whole stack in one primitive
    {"uni3", 8, 5, 3, 4, 3, false},     // I ≠ H: layer 0, then layers 1-2
    {"bi3_2h", 4, 8, 2, 3, 3, true},    // I = 2H: one oneDNN primitive would accept it, and compute another stack
};

// Test names and failure messages show the shape's name rather than its bytes.
void PrintTo(const Shape& s, std::ostream* os) { *os << s.name; }
constexpr RnnCell kCells[] = {RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru};
constexpr RnnPass kPasses[] = {RnnPass::inference, RnnPass::training_fwd, RnnPass::training_bwd};
constexpr Precision kPrecisions[] = {Precision::fp32, Precision::bf16};

RnnProblem problem_of(const Shape& s, RnnCell cell, RnnPass pass, Precision precision) {
  RnnProblem p;
  p.cell = cell, p.hidden = s.hidden, p.input = s.input, p.batch = s.batch, p.steps = s.steps, p.layers = s.layers;
  p.bidirectional = s.bidirectional, p.pass = pass, p.precision = precision;
  return p;
}

std::unique_ptr<RnnBackend> onednn() {
  BackendSettings settings;
  settings.threads = 2;
  return Registry<RnnBackend>::instance().create("onednn", settings);
}

std::vector<std::int64_t> all_entries(const RnnProblem& p) {
  std::vector<std::int64_t> e;
  for (std::int64_t n = 0; n < p.batch; ++n) e.push_back(n);
  return e;
}

bool same_bits(const HostBuffer& a, const HostBuffer& b) {
  return a.bytes() == b.bytes() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

using Param = std::tuple<Shape, RnnCell, RnnPass, Precision>;

class OneDnnRnn : public testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Registry<RnnBackend>::instance().contains("onednn"));
    backend_ = onednn();
    const Availability a = backend_->availability();
    if (!a.available) GTEST_SKIP() << a.reason;
    const auto& [shape, cell, pass, precision] = GetParam();
    p_ = problem_of(shape, cell, pass, precision);
    const Support s = backend_->supports(p_);
    // fp32 runs everywhere; bf16 wherever the CPU has AVX-512, and otherwise says so.
    if (!s.ok && precision == Precision::bf16) GTEST_SKIP() << s.reason;
    ASSERT_TRUE(s.ok) << p_.to_string() << ": " << s.reason;
  }

  std::unique_ptr<RnnBackend> backend_;
  RnnProblem p_;
};

TEST_P(OneDnnRnn, MatchesTheReference) {
  RnnData data(p_, 7);
  auto op = backend_->prepare(p_, data.inputs());
  EXPECT_FALSE(op->implementation().empty());
  EXPECT_FALSE(op->algorithm().empty());
  if (p_.pass != RnnPass::inference) {
    EXPECT_GT(op->workspace_bytes(), 0u);
  }
  op->run();
  RnnOutputs out = make_rnn_outputs(p_);
  op->read_outputs(out);
  const OutputCheck c = check_rnn(p_, data.inputs(), out, all_entries(p_));
  EXPECT_TRUE(c.passed()) << p_.to_string() << ": error " << c.error << " > tolerance " << c.tolerance << " ("
                          << op->implementation() << "; " << op->algorithm() << ")";
  if (p_.pass != RnnPass::training_bwd) return;

  // A second call gives bit-identical gradients: the weight gradients are zeroed, not accumulated.
  op->run();
  RnnOutputs again = make_rnn_outputs(p_);
  op->read_outputs(again);
  EXPECT_TRUE(same_bits(out.dweights, again.dweights)) << "dweights differ between two calls";
  EXPECT_TRUE(same_bits(out.dx, again.dx)) << "dx differs between two calls";
  EXPECT_TRUE(same_bits(out.dhx, again.dhx)) << "dhx differs between two calls";
  if (p_.has_cell_state()) {
    EXPECT_TRUE(same_bits(out.dcx, again.dcx)) << "dcx differs between two calls";
  }

  // Output gradients on one entry only: every gradient depends on that entry alone (the harness's check of large
  // problems), and the others' dx, dhx, dcx are exactly zero.
  const std::vector<std::int64_t> kept{p_.batch - 1};
  data.keep_output_gradients_of(p_, kept);
  op->load_output_gradients(data.inputs());
  op->run();
  RnnOutputs subset = make_rnn_outputs(p_);
  op->read_outputs(subset);
  const OutputCheck cs = check_rnn(p_, data.inputs(), subset, kept);
  EXPECT_TRUE(cs.passed()) << p_.to_string() << " on entry " << kept[0] << ": error " << cs.error << " > tolerance "
                           << cs.tolerance;
}

std::string param_name(const testing::TestParamInfo<Param>& info) {
  const auto& [shape, cell, pass, precision] = info.param;
  return std::string(shape.name) + "_" + std::string(to_string(cell)) + "_" + std::string(to_string(pass)) + "_" +
         std::string(to_string(precision));
}

INSTANTIATE_TEST_SUITE_P(CellsPassesPrecisions, OneDnnRnn,
                         testing::Combine(testing::ValuesIn(kShapes), testing::ValuesIn(kCells),
                                          testing::ValuesIn(kPasses), testing::ValuesIn(kPrecisions)),
                         param_name);

// The precisions oneDNN 2.6 cannot run say why, in terms a reader of a skipped row can act on.
TEST(OneDnnRnnSupport, UnsupportedPrecisionsSayWhy) {
  const auto backend = onednn();
  if (!backend->availability().available) GTEST_SKIP() << backend->availability().reason;
  const struct {
    Precision precision;
    const char* says;
  } cases[] = {{Precision::fp16, "f16"},
               {Precision::tf32, "tf32"},
               {Precision::int8, "quantisation"},
               {Precision::fp8e4m3, "fp8"},
               {Precision::fp8e5m2, "fp8"}};
  for (const auto& c : cases)
    for (RnnPass pass : kPasses) {
      const RnnProblem p = problem_of(kShapes[0], RnnCell::lstm, pass, c.precision);
      const Support s = backend->supports(p);
      EXPECT_FALSE(s.ok) << p.to_string();
      EXPECT_NE(s.reason.find(c.says), std::string::npos) << p.to_string() << ": " << s.reason;
    }
}

}  // namespace
}  // namespace dlbench
