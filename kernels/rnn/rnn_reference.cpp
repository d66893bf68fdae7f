// The entries a check covers, the float64 reference (rnn_forward.cpp, rnn_backward.cpp) and the check itself.
//
// Error. Each output tensor of the pass gets its relative L2 error over the checked entries (ErrorMetric), and the
// check's error is the largest of them, so that hy (N·H elements) is not drowned by y (T times more). For
// training_bwd, dx, dhx and dcx must be exactly zero on every unchecked entry, whose output gradients the harness
// zeroed: a non-zero or NaN element there makes the error +inf, which no tolerance passes.
//
// Tolerance. The precision's tolerance (common/precision.hpp) times √L, plus, for the ReLU cell's backward pass, an
// allowance for its kink measured on the problem itself.
// - √L: every layer adds a fresh rounding to its output (bf16 at 2^-9, fp16 at 2^-11, tf32 on its inputs), and the
//   next layer passes the error on with a gain below one, so independent errors add up as √L. The steps of a layer
//   do not compound: with the weights scaled by 1/√fan_in (rnn_data.hpp) a step multiplies the error it inherits
//   by about 0.6·√(H/(I_l+H))·act' < 0.5 for the vanilla cell, and by the forget or update gate (about 0.5) for
//   LSTM and GRU, so the error settles within ~2× of one step's rounding whatever T. oneDNN showed fp32 ≤ 2.2e-7
//   and bf16 ≤ 3.8e-3 on small problems against 1e-4 and 1e-2 (×√L).
// - ReLU backward: ReLU' jumps from 0 to 1 at 0. A library's pre-activation differs from the float64 one by about
//   its relative error times the pre-activations' size, and where a pre-activation lies that close to 0 the library
//   may take the other branch: that element's gradient is then wrong by O(1), and its neighbours through the
//   recurrence. Both are correct answers. A library within the forward tolerance τ has pre-activation errors of
//   about τ·rms(a), so the reference runs its backward a second time with every ReLU' whose |a| < 2τ·rms(a)
//   flipped, and the relative change of each gradient tensor is what such flips can cost; the check allows twice
//   the largest (independent flips add in quadrature, so a library flipping a subset changes less). With a
//   pre-activation density of about 1.1 at 0 (rms(a) ≈ 0.35) a fraction 4.4·τ·rms(a) ≈ 1.5τ of the derivatives
//   is in the band: none on most small fp32 problems (the tolerance stays 1e-4), a few dozen of GNMT's 1.7·10^5
//   in fp32 (an allowance of ~0.03), 1.5% in bf16 (~0.3, so a bf16 ReLU backward check catches only gross errors).
#include "rnn/rnn_reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error_metric.hpp"
#include "rnn/rnn_reference_detail.hpp"

namespace dlbench {

namespace {

std::size_t sz(std::int64_t n) { return static_cast<std::size_t>(n); }

bool is_bwd(const RnnProblem& p) { return p.pass == RnnPass::training_bwd; }

// The reference's cost per batch entry in multiply-adds: the forward's GEMMs, plus for training_bwd the backward's
// two (data and weights) at the forward's cost each, and for ReLU a second backward (the kink allowance above).
double reference_macs_per_entry(const RnnProblem& p) {
  RnnProblem one = p;
  one.batch = 1;
  one.pass = RnnPass::inference;
  const double fwd = one.flops() / 2;
  if (!is_bwd(p)) return fwd;
  return fwd * (p.cell == RnnCell::rnn_relu ? 5 : 3);
}

// The error of one output tensor whose rows of `width` elements cycle through the N batch entries (T × N × W
// sequences, L × D × N × H states): rows of checked entries against the reference's rows (nb per cycle, in the
// order of `entries`), rows of other entries required to be exactly zero when `zero_elsewhere`.
struct TensorError {
  double error;
  std::int64_t checked;
};

TensorError compare(const RnnProblem& p, const HostBuffer& got, const std::vector<double>& ref, std::int64_t width,
                    std::span<const std::int64_t> entries, bool zero_elsewhere) {
  std::vector<std::int64_t> slot(sz(p.batch), -1);
  for (std::size_t i = 0; i < entries.size(); ++i) slot[sz(entries[i])] = static_cast<std::int64_t>(i);
  const auto nb = static_cast<std::int64_t>(entries.size());
  ErrorMetric metric;
  std::int64_t stray = 0, zeros = 0;
  const auto rows = static_cast<std::int64_t>(got.count()) / width;
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::int64_t n = row % p.batch, cycle = row / p.batch, s = slot[sz(n)];
    if (s >= 0) {
      for (std::int64_t j = 0; j < width; ++j)
        metric.add(got.get(sz(row * width + j)), ref[sz((cycle * nb + s) * width + j)]);
    } else if (zero_elsewhere) {
      for (std::int64_t j = 0; j < width; ++j) stray += got.get(sz(row * width + j)) != 0;  // NaN != 0 too
      zeros += width;
    }
  }
  if (stray > 0) return {std::numeric_limits<double>::infinity(), metric.checked() + zeros};
  return {metric.relative_l2(), metric.checked() + zeros};
}

double relative_change(const std::vector<double>& changed, const std::vector<double>& base) {
  ErrorMetric m;
  for (std::size_t i = 0; i < base.size(); ++i) m.add(changed[i], base[i]);
  return m.relative_l2();
}

}  // namespace

std::vector<std::int64_t> rnn_check_entries(const RnnProblem& p, std::uint64_t seed, double full_limit_macs,
                                            std::int64_t max_entries) {
  const double per_entry = reference_macs_per_entry(p);
  std::vector<std::int64_t> out;
  if (per_entry * static_cast<double>(p.batch) <= full_limit_macs) {
    for (std::int64_t n = 0; n < p.batch; ++n) out.push_back(n);
    return out;
  }
  const auto fit = static_cast<std::int64_t>(std::floor(full_limit_macs / per_entry));
  const std::int64_t count = std::clamp<std::int64_t>(fit, 1, std::max<std::int64_t>(1, std::min(max_entries, p.batch)));
  Rng rng(seed);
  while (static_cast<std::int64_t>(out.size()) < count) {
    const auto n = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(p.batch)));
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

RnnReference rnn_reference(const RnnProblem& p, const RnnInputs& in, std::span<const std::int64_t> batch_entries) {
  rnn_detail::Forward f = rnn_detail::rnn_forward(p, in, batch_entries, is_bwd(p));
  if (is_bwd(p)) rnn_detail::rnn_backward(p, in, batch_entries, f, 0.0, f.out);
  return std::move(f.out);
}

OutputCheck check_rnn(const RnnProblem& p, const RnnInputs& in, const RnnOutputs& out,
                      std::span<const std::int64_t> batch_entries) {
  OutputCheck check;
  check.full = static_cast<std::int64_t>(batch_entries.size()) == p.batch;
  check.tolerance = p.types().tolerance * std::sqrt(static_cast<double>(p.layers));
  const std::int64_t H = p.hidden, DH = p.directions() * p.hidden;
  const bool lstm = p.has_cell_state();

  rnn_detail::Forward f = rnn_detail::rnn_forward(p, in, batch_entries, is_bwd(p));
  std::vector<TensorError> errors;
  if (!is_bwd(p)) {
    errors.push_back(compare(p, out.y, f.out.y, DH, batch_entries, false));
    errors.push_back(compare(p, out.hy, f.out.hy, H, batch_entries, false));
    if (lstm) errors.push_back(compare(p, out.cy, f.out.cy, H, batch_entries, false));
  } else {
    RnnReference& ref = f.out;
    rnn_detail::rnn_backward(p, in, batch_entries, f, 0.0, ref);
    if (p.cell == RnnCell::rnn_relu) {
      RnnReference flipped;
      rnn_detail::rnn_backward(p, in, batch_entries, f, 2 * p.types().tolerance, flipped);
      const double allowance = std::max({relative_change(flipped.dx, ref.dx), relative_change(flipped.dhx, ref.dhx),
                                         relative_change(flipped.dweights, ref.dweights)});
      check.tolerance += 2 * allowance;
    }
    errors.push_back(compare(p, out.dx, ref.dx, p.input, batch_entries, true));
    errors.push_back(compare(p, out.dhx, ref.dhx, H, batch_entries, true));
    if (lstm) errors.push_back(compare(p, out.dcx, ref.dcx, H, batch_entries, true));
    ErrorMetric dw;  // no batch dimension: the sum over the checked entries, every element compared
    for (std::size_t i = 0; i < ref.dweights.size(); ++i) dw.add(out.dweights.get(i), ref.dweights[i]);
    errors.push_back({dw.relative_l2(), dw.checked()});
  }
  for (const TensorError& e : errors) {
    check.error = std::max(check.error, e.error);
    check.checked += e.checked;
  }
  return check;
}

}  // namespace dlbench
