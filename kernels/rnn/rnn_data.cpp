#include "rnn/rnn_data.hpp"

#include <algorithm>
#include <cmath>

#include "common/element_codec.hpp"

namespace dlbench {

namespace {

// Each tensor draws from its own stream, so that no two tensors hold the same values (a backend that swapped hx
// and cx, or read dy for dhy, would otherwise still pass).
enum class Stream : std::uint64_t { x, hx, cx, weights, dy, dhy, dcy };

std::uint64_t seed_of(std::uint64_t seed, Stream s) { return codec::splitmix64_at(seed, static_cast<std::uint64_t>(s)); }

HostBuffer random_buffer(DataType type, std::int64_t count, std::uint64_t seed, Stream s) {
  HostBuffer b(type, static_cast<std::size_t>(count));
  fill_random(b, seed_of(seed, s));
  return b;
}

bool is_bwd(const RnnProblem& p) { return p.pass == RnnPass::training_bwd; }

// The output gradients, fresh from their streams (empty unless training_bwd; dcy only for an LSTM).
void make_output_gradients(const RnnProblem& p, std::uint64_t seed, HostBuffer& dy, HostBuffer& dhy,
                           HostBuffer& dcy) {
  const DataType out = p.types().output;
  dy = dhy = dcy = HostBuffer(out, 0);
  if (!is_bwd(p)) return;
  dy = random_buffer(out, p.y_elements(), seed, Stream::dy);
  dhy = random_buffer(out, p.state_elements(), seed, Stream::dhy);
  if (p.has_cell_state()) dcy = random_buffer(out, p.state_elements(), seed, Stream::dcy);
}

}  // namespace

RnnData::RnnData(const RnnProblem& p, std::uint64_t seed) : seed_(seed) {
  const DataType in = p.types().input;
  x = random_buffer(in, p.x_elements(), seed, Stream::x);
  hx = random_buffer(in, p.state_elements(), seed, Stream::hx);
  cx = p.has_cell_state() ? random_buffer(in, p.state_elements(), seed, Stream::cx) : HostBuffer(in, 0);
  weights = random_buffer(in, p.weight_elements(), seed, Stream::weights);
  for (std::int64_t l = 0; l < p.layers; ++l) {
    // s = 2^-round(log2 √fan_in): scaling by a power of two is exact, except for the rare fp16 values that it
    // pushes below 2^-14 into subnormals (|w| < 2^-14/s, about one in 500 for s = 2^-5), which round. Harmless:
    // the reference and the backends all read the stored values.
    const double fan_in = static_cast<double>(p.layer_input(l) + p.hidden);
    const int exponent = -static_cast<int>(std::lround(std::log2(std::sqrt(fan_in))));
    for (std::int64_t d = 0; d < p.directions(); ++d) {
      const RnnProblem::WeightOffsets o = p.weight_offsets(l, d);
      for (std::int64_t i = o.w; i < o.end; ++i) {
        const auto at = static_cast<std::size_t>(i);
        weights.set(at, std::ldexp(weights.get(at), exponent));
      }
    }
  }
  make_output_gradients(p, seed, dy, dhy, dcy);
}

void RnnData::keep_output_gradients_of(const RnnProblem& p, std::span<const std::int64_t> batch_entries) {
  if (!is_bwd(p)) return;
  std::vector<bool> keep(static_cast<std::size_t>(p.batch), false);
  for (std::int64_t n : batch_entries) keep[static_cast<std::size_t>(n)] = true;
  // dy is T × N × D·H; dhy and dcy are L × D × N × H: both are runs of `width` elements per batch entry, the batch
  // index cycling every N runs.
  const auto zero_others = [&](HostBuffer& b, std::int64_t width) {
    for (std::size_t i = 0; i < b.count(); ++i)
      if (!keep[(i / static_cast<std::size_t>(width)) % keep.size()]) b.set(i, 0.0);
  };
  zero_others(dy, p.directions() * p.hidden);
  zero_others(dhy, p.hidden);
  zero_others(dcy, p.hidden);
}

void RnnData::restore_output_gradients(const RnnProblem& p) { make_output_gradients(p, seed_, dy, dhy, dcy); }

RnnOutputs make_rnn_outputs(const RnnProblem& p) {
  const DataType out = p.types().output;
  const auto poisoned = [&](std::int64_t count) {
    HostBuffer b(out, static_cast<std::size_t>(count));
    fill_poison(b);
    return b;
  };
  const std::int64_t cells = p.has_cell_state() ? p.state_elements() : 0;
  const HostBuffer none(out, 0);
  RnnOutputs o{none, none, none, none, none, none, none};
  if (is_bwd(p)) {
    o.dx = poisoned(p.x_elements());
    o.dhx = poisoned(p.state_elements());
    o.dcx = poisoned(cells);
    o.dweights = poisoned(p.weight_elements());
  } else {
    o.y = poisoned(p.y_elements());
    o.hy = poisoned(p.state_elements());
    o.cy = poisoned(cells);
  }
  return o;
}

}  // namespace dlbench
