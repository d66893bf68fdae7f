#include "rnn/rnn_problem.hpp"

#include <array>
#include <map>
#include <vector>

#include "common/input_error.hpp"
#include "common/name_tokens.hpp"

namespace dlbench {

namespace {

constexpr std::array<std::string_view, 4> kCells{"rnn_relu", "rnn_tanh", "lstm", "gru"};
constexpr std::array<std::string_view, 3> kPasses{"inference", "training_fwd", "training_bwd"};
constexpr std::array<std::string_view, 2> kDirections{"uni", "bi"};

}  // namespace

std::string_view to_string(RnnCell cell) { return kCells[static_cast<std::size_t>(cell)]; }
std::string_view to_string(RnnPass pass) { return kPasses[static_cast<std::size_t>(pass)]; }

std::optional<RnnCell> parse_rnn_cell(std::string_view text) {
  for (std::size_t i = 0; i < kCells.size(); ++i)
    if (kCells[i] == text) return static_cast<RnnCell>(i);
  return std::nullopt;
}

std::optional<RnnPass> parse_rnn_pass(std::string_view text) {
  for (std::size_t i = 0; i < kPasses.size(); ++i)
    if (kPasses[i] == text) return static_cast<RnnPass>(i);
  return std::nullopt;
}

std::int64_t RnnProblem::gates() const {
  switch (cell) {
    case RnnCell::lstm: return 4;
    case RnnCell::gru: return 3;
    default: return 1;
  }
}

RnnProblem::WeightOffsets RnnProblem::weight_offsets(std::int64_t layer, std::int64_t direction) const {
  const std::int64_t gh = gates() * hidden;
  std::int64_t at = 0;
  for (std::int64_t l = 0; l < layers; ++l)
    for (std::int64_t d = 0; d < directions(); ++d) {
      WeightOffsets o;
      o.w = at;
      o.r = o.w + gh * layer_input(l);
      o.b_w = o.r + gh * hidden;
      o.b_r = o.b_w + gh;
      o.end = o.b_r + gh;
      if (l == layer && d == direction) return o;
      at = o.end;
    }
  return {at, at, at, at, at};
}

std::int64_t RnnProblem::weight_elements() const { return weight_offsets(layers, 0).end; }

double RnnProblem::flops() const {
  double fwd = 0;
  for (std::int64_t l = 0; l < layers; ++l)
    fwd += 2.0 * static_cast<double>(gates()) * static_cast<double>(batch) *
           static_cast<double>(layer_input(l) + hidden) * static_cast<double>(hidden) * static_cast<double>(steps);
  fwd *= static_cast<double>(directions());
  return pass == RnnPass::training_bwd ? 2 * fwd : fwd;
}

double RnnProblem::flops_deepbench() const {
  const double t = static_cast<double>(steps), n = static_cast<double>(batch), h = static_cast<double>(hidden);
  double per_layer = 2.0 * static_cast<double>(gates()) * t * n * h * h;
  if (gates() == 1) per_layer += t * n * h;  // DeepBench counts the vanilla cell's activation too
  const double fwd = per_layer * static_cast<double>(layers * directions());
  return pass == RnnPass::training_bwd ? 2 * fwd : fwd;
}

double RnnProblem::min_bytes() const {
  const double in = static_cast<double>(size_of(types().input));
  const double out = static_cast<double>(size_of(types().output));
  const double states = static_cast<double>(state_elements()) * (has_cell_state() ? 2 : 1);
  const double x = static_cast<double>(x_elements()), y = static_cast<double>(y_elements());
  const double wt = static_cast<double>(weight_elements());
  if (pass != RnnPass::training_bwd) return (x + states + wt) * in + (y + states) * out;
  // Reads x, the initial states, the weights, y and the three output gradients; writes the gradients of x, the
  // initial states and the weights.
  return (x + states + wt) * in + (y + y + states) * out + (x + states + wt) * out;
}

std::string RnnProblem::shape_string() const {
  std::string t = std::string(dlbench::to_string(cell)) + "_h" + std::to_string(hidden) + "i" +
                  std::to_string(input) + "n" + std::to_string(batch) + "t" + std::to_string(steps);
  if (layers != 1) t += "l" + std::to_string(layers);
  return t + "_" + std::string(kDirections[bidirectional ? 1 : 0]);
}

std::string RnnProblem::to_string(bool with_precision) const {
  std::string t = shape_string() + "_" + std::string(dlbench::to_string(pass));
  if (with_precision) t += "_" + std::string(dlbench::to_string(precision));
  return t;
}

RnnProblem RnnProblem::parse(std::string_view text, const std::string& where, Given* given) {
  const auto fail = [&](const std::string& why) {
    throw InputError(where + ": '" + std::string(text) + "': " + why +
                     " (form: <rnn_relu|rnn_tanh|lstm|gru>_h<H>i<I>n<N>t<T>[l<L>]_<uni|bi>"
                     "_<inference|training_fwd|training_bwd>_<precision>)");
  };
  RnnProblem pr;
  std::string_view rest = text;
  const int cell = take_suffix(rest, kCells);
  if (cell < 0) fail("expected the cell first");
  pr.cell = static_cast<RnnCell>(cell);

  const std::size_t cut = rest.find('_');
  std::map<std::string, std::int64_t> dims;
  for (const auto& [key, value] : split_dims(rest.substr(0, cut), where, text))
    if (!dims.emplace(key, value).second) fail("'" + key + "' given twice");
  rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 1);
  const auto take = [&](const char* key, std::int64_t& field, bool required) {
    const auto it = dims.find(key);
    if (it == dims.end()) {
      if (required) fail(std::string("missing '") + key + "'");
      return;
    }
    if (it->second <= 0) fail(std::string("'") + key + "' must be positive");
    field = it->second;
    dims.erase(it);
  };
  take("h", pr.hidden, true);
  take("i", pr.input, true);
  take("n", pr.batch, true);
  take("t", pr.steps, true);
  take("l", pr.layers, false);
  if (!dims.empty()) fail("unknown token '" + dims.begin()->first + "'");

  Given found;
  if (const int i = take_suffix(rest, kDirections); i >= 0) {
    pr.bidirectional = i == 1;
    found.direction = true;
  }
  if (const int i = take_suffix(rest, kPasses); i >= 0) {
    pr.pass = static_cast<RnnPass>(i);
    found.pass = true;
  }
  std::vector<std::string_view> precisions;
  for (const auto& i : all_precisions()) precisions.push_back(i.name);
  if (const int i = take_suffix(rest, precisions); i >= 0) {
    pr.precision = all_precisions()[static_cast<std::size_t>(i)].precision;
    found.precision = true;
  }
  if (!rest.empty()) fail("unexpected '" + std::string(rest) + "'");
  if (given) {
    *given = found;
  } else if (!found.direction || !found.pass || !found.precision) {
    fail("needs its direction (uni|bi), pass and precision");
  }
  return pr;
}

std::optional<std::string> RnnProblem::unsupported_reason() const {
  const DataType in = types().input;
  if (is_integer(in) || in == DataType::f8_e4m3 || in == DataType::f8_e5m2)
    return "RNNs in " + std::string(types().name) +
           " need per-tensor quantisation scales and an integer or fp8 recipe that this suite does not model";
  return std::nullopt;
}

}  // namespace dlbench
