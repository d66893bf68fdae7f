// The forward half of the float64 RNN reference: every layer, direction and step of rnn_problem.hpp's cells for
// the checked batch entries, keeping what backpropagation needs.
#include <algorithm>
#include <cmath>

#include "rnn/rnn_reference_detail.hpp"

namespace dlbench::rnn_detail {

namespace {

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

// One step of one entry: `wx` = W·x (without bias) and `rh` = R·h (without bias), G·H each; reads the previous
// states h and c, writes the new ones over them, and the step's trace rows (gates G·H; m H for GRU).
void cell_forward(const RnnProblem& p, const LayerWeights& lw, const double* wx, const double* rh, double* h,
                  double* c, double* gates, double* m) {
  const std::int64_t H = p.hidden;
  const auto pre = [&](std::int64_t gate, std::int64_t j) {
    const std::int64_t g = gate * H + j;
    return wx[g] + lw.b_w[static_cast<std::size_t>(g)] + rh[g] + lw.b_r[static_cast<std::size_t>(g)];
  };
  for (std::int64_t j = 0; j < H; ++j) {
    switch (p.cell) {
      case RnnCell::rnn_relu:
      case RnnCell::rnn_tanh: {
        const double a = pre(0, j);
        gates[j] = a;  // the pre-activation: ReLU's derivative is its sign
        h[j] = p.cell == RnnCell::rnn_relu ? std::max(a, 0.0) : std::tanh(a);
        break;
      }
      case RnnCell::lstm: {
        const double i = sigmoid(pre(0, j)), f = sigmoid(pre(1, j)), g = std::tanh(pre(2, j)),
                     o = sigmoid(pre(3, j));
        gates[j] = i, gates[H + j] = f, gates[2 * H + j] = g, gates[3 * H + j] = o;
        c[j] = f * c[j] + i * g;
        h[j] = o * std::tanh(c[j]);
        break;
      }
      case RnnCell::gru: {
        const double r = sigmoid(pre(0, j)), z = sigmoid(pre(1, j));
        // Linear before reset: the reset gate scales R_n·h + b_Rn, bias included.
        m[j] = rh[2 * H + j] + lw.b_r[static_cast<std::size_t>(2 * H + j)];
        const double n = std::tanh(wx[2 * H + j] + lw.b_w[static_cast<std::size_t>(2 * H + j)] + r * m[j]);
        gates[j] = r, gates[H + j] = z, gates[2 * H + j] = n;
        h[j] = (1 - z) * n + z * h[j];
        break;
      }
    }
  }
}

}  // namespace

LayerWeights::LayerWeights(const RnnProblem& p, const HostBuffer& weights, std::int64_t layer,
                           std::int64_t direction, bool transposed) {
  const RnnProblem::WeightOffsets o = p.weight_offsets(layer, direction);
  const std::int64_t gh = p.gates() * p.hidden;
  const auto decode = [&](std::int64_t at, std::int64_t cols, std::vector<float>& m) {
    m.resize(static_cast<std::size_t>(gh * cols));
    for (std::int64_t g = 0; g < gh; ++g)
      for (std::int64_t k = 0; k < cols; ++k)
        m[static_cast<std::size_t>(transposed ? k * gh + g : g * cols + k)] =
            static_cast<float>(weights.get(static_cast<std::size_t>(at + g * cols + k)));
  };
  decode(o.w, p.layer_input(layer), w);
  decode(o.r, p.hidden, r);
  for (std::int64_t g = 0; g < gh; ++g) {
    b_w.push_back(weights.get(static_cast<std::size_t>(o.b_w + g)));
    b_r.push_back(weights.get(static_cast<std::size_t>(o.b_r + g)));
  }
}

Forward rnn_forward(const RnnProblem& p, const RnnInputs& in, std::span<const std::int64_t> entries,
                    bool keep_trace) {
  const auto nb = static_cast<std::int64_t>(entries.size());
  const std::int64_t T = p.steps, H = p.hidden, D = p.directions(), gh = p.gates() * H;
  const auto sz = [](std::int64_t n) { return static_cast<std::size_t>(n); };
  Forward f;
  f.out.hy.assign(sz(p.layers * D * nb * H), 0.0);
  if (p.has_cell_state()) f.out.cy.assign(f.out.hy.size(), 0.0);

  std::vector<double> x0(sz(T * nb * p.input));
  for (std::int64_t t = 0; t < T; ++t)
    for (std::int64_t b = 0; b < nb; ++b)
      for (std::int64_t i = 0; i < p.input; ++i)
        x0[sz((t * nb + b) * p.input + i)] = in.x.get(sz((t * p.batch + entries[sz(b)]) * p.input + i));
  f.inputs.push_back(std::move(x0));

  for (std::int64_t l = 0; l < p.layers; ++l) {
    const std::int64_t il = p.layer_input(l);
    std::vector<double> ys(sz(T * nb * D * H));
    for (std::int64_t d = 0; d < D; ++d) {
      const LayerWeights lw(p, in.weights, l, d, true);
      // The input half of every step at once: one product over all T·nb rows instead of T small ones.
      std::vector<double> wx(sz(T * nb * gh), 0.0), rh(sz(nb * gh));
      add_products(T * nb, il, gh, f.inputs[sz(l)].data(), lw.w.data(), wx.data());

      Trace tr;
      tr.gates.resize(sz(T * nb * gh));
      tr.h.resize(sz(T * nb * H));
      std::vector<double> h(sz(nb * H)), c(sz(nb * H)), m(sz(H));
      for (std::int64_t b = 0; b < nb; ++b)
        for (std::int64_t j = 0; j < H; ++j) {
          const std::size_t at = state_index(p, p.batch, l, d, entries[sz(b)], j);
          h[sz(b * H + j)] = in.hx.get(at);
          if (p.has_cell_state()) c[sz(b * H + j)] = in.cx.get(at);
        }
      if (p.has_cell_state()) tr.c.resize(tr.h.size());
      if (p.cell == RnnCell::gru) tr.m.resize(tr.h.size());

      for (std::int64_t s = 0; s < T; ++s) {
        const std::int64_t t = step_time(p, d, s);
        std::fill(rh.begin(), rh.end(), 0.0);
        add_products(nb, H, gh, h.data(), lw.r.data(), rh.data());
        for (std::int64_t b = 0; b < nb; ++b) {
          const std::int64_t row = t * nb + b;
          double* hb = h.data() + b * H;
          double* cb = c.data() + b * H;
          cell_forward(p, lw, wx.data() + row * gh, rh.data() + b * gh, hb, cb, tr.gates.data() + row * gh,
                       tr.m.empty() ? m.data() : tr.m.data() + row * H);
          std::copy(hb, hb + H, tr.h.begin() + row * H);
          if (!tr.c.empty()) std::copy(cb, cb + H, tr.c.begin() + row * H);
          std::copy(hb, hb + H, ys.begin() + (row * D + d) * H);
        }
      }
      for (std::int64_t b = 0; b < nb; ++b)
        for (std::int64_t j = 0; j < H; ++j) {
          const std::size_t at = state_index(p, nb, l, d, b, j);
          f.out.hy[at] = h[sz(b * H + j)];
          if (p.has_cell_state()) f.out.cy[at] = c[sz(b * H + j)];
        }
      if (keep_trace) f.traces.push_back(std::move(tr));
    }
    if (l + 1 < p.layers) {
      f.inputs.push_back(std::move(ys));
    } else {
      f.out.y = std::move(ys);
    }
  }
  return f;
}

}  // namespace dlbench::rnn_detail
