// The backward half of the float64 RNN reference: backpropagation through time, analytically, of the loss
// L = Σ dy·y + Σ dhy·hy + Σ dcy·cy, from the top layer down, each direction against its processing order.
//
// Per step, with dh the gradient reaching h' (from y and from the step after) and dc the one reaching c':
//   vanilla  da = dh·act'(a)                               (ReLU: a > 0; tanh: 1 − h'²)
//   lstm     dc += dh·o·(1 − tanh²c');  da_i = dc·g·i(1−i), da_f = dc·c·f(1−f), da_g = dc·i·(1−g²),
//            da_o = dh·tanh(c')·o(1−o);  dc ← dc·f
//   gru      dn = dh·(1−z), da_n = dn·(1−n²), da_r = da_n·m·r(1−r), da_z = dh·(h − n)·z(1−z), with m = R_n·h + b_Rn;
//            the recurrent side of the n gate sees da_n·r (what m was multiplied by), the input side da_n
// and then dh ← R^T·da_R (+ dh·z for GRU), dx_t = W^T·da_W, dW = Σ da_W·x^T, dR = Σ da_R·h^T, db_W = Σ da_W,
// db_R = Σ da_R over steps and entries (da_W = da_R = da except for the GRU's n gate).
#include <cmath>

#include "rnn/rnn_reference_detail.hpp"

namespace dlbench::rnn_detail {

namespace {

std::size_t sz(std::int64_t n) { return static_cast<std::size_t>(n); }

// Rows t·nb + b of the state each step started from: the step before in processing order, or the initial state.
std::vector<double> previous_states(const RnnProblem& p, std::int64_t nb, std::int64_t direction,
                                    const std::vector<double>& after, const HostBuffer& initial,
                                    std::span<const std::int64_t> entries, std::int64_t layer) {
  const std::int64_t T = p.steps, H = p.hidden;
  std::vector<double> prev(sz(T * nb * H));
  for (std::int64_t t = 0; t < T; ++t) {
    const std::int64_t from = direction == 0 ? t - 1 : t + 1;
    for (std::int64_t b = 0; b < nb; ++b)
      for (std::int64_t j = 0; j < H; ++j)
        prev[sz((t * nb + b) * H + j)] = from < 0 || from >= T
                                             ? initial.get(state_index(p, p.batch, layer, direction, entries[sz(b)], j))
                                             : after[sz((from * nb + b) * H + j)];
  }
  return prev;
}

double rms(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return v.empty() ? 0 : std::sqrt(s / static_cast<double>(v.size()));
}

// The gradients of one step of one entry's pre-activations (da_W, da_R: G·H each) from dh (gradient reaching h'),
// updating dc in place to the gradient reaching c and returning in dh_prev what reaches h other than through R.
struct StepRows {
  const double* gates;   // the trace at this step
  const double* h;       // h' after the step
  const double* c;       // LSTM: c' after the step
  const double* c_prev;  // LSTM: c before it
  const double* h_prev;  // h before it
  const double* m;       // GRU: R_n·h + b_Rn
};

void cell_backward(const RnnProblem& p, const StepRows& s, double band, const double* dh, double* dc, double* da_w,
                   double* da_r, double* dh_prev) {
  const std::int64_t H = p.hidden;
  for (std::int64_t j = 0; j < H; ++j) {
    dh_prev[j] = 0;
    switch (p.cell) {
      case RnnCell::rnn_relu: {
        const double a = s.gates[j];
        const bool on = (a > 0) != (std::fabs(a) < band);  // flipped inside the band (see rnn_reference_detail.hpp)
        da_w[j] = on ? dh[j] : 0.0;
        break;
      }
      case RnnCell::rnn_tanh: da_w[j] = dh[j] * (1 - s.h[j] * s.h[j]); break;
      case RnnCell::lstm: {
        const double i = s.gates[j], f = s.gates[H + j], g = s.gates[2 * H + j], o = s.gates[3 * H + j];
        const double tc = std::tanh(s.c[j]);
        const double dct = dc[j] + dh[j] * o * (1 - tc * tc);
        da_w[j] = dct * g * i * (1 - i);
        da_w[H + j] = dct * s.c_prev[j] * f * (1 - f);
        da_w[2 * H + j] = dct * i * (1 - g * g);
        da_w[3 * H + j] = dh[j] * tc * o * (1 - o);
        dc[j] = dct * f;
        break;
      }
      case RnnCell::gru: {
        const double r = s.gates[j], z = s.gates[H + j], n = s.gates[2 * H + j];
        const double dan = dh[j] * (1 - z) * (1 - n * n);
        da_w[j] = da_r[j] = dan * s.m[j] * r * (1 - r);
        da_w[H + j] = da_r[H + j] = dh[j] * (s.h_prev[j] - n) * z * (1 - z);
        da_w[2 * H + j] = dan;
        da_r[2 * H + j] = dan * r;
        dh_prev[j] = dh[j] * z;
        break;
      }
    }
  }
}

std::vector<double> transposed(const std::vector<double>& m, std::int64_t rows, std::int64_t cols) {
  std::vector<double> t(m.size());
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) t[sz(c * rows + r)] = m[sz(r * cols + c)];
  return t;
}

}  // namespace

void rnn_backward(const RnnProblem& p, const RnnInputs& in, std::span<const std::int64_t> entries,
                  const Forward& fwd, double relu_band, RnnReference& out) {
  const auto nb = static_cast<std::int64_t>(entries.size());
  const std::int64_t T = p.steps, H = p.hidden, D = p.directions(), gh = p.gates() * H;
  const bool gru = p.cell == RnnCell::gru, lstm = p.has_cell_state();
  out.dhx.assign(sz(p.layers * D * nb * H), 0.0);
  out.dcx.assign(lstm ? out.dhx.size() : 0, 0.0);
  out.dweights.assign(sz(p.weight_elements()), 0.0);

  // dys: the gradient reaching the current layer's output sequence, T·nb × D·H; the top layer's is dy.
  std::vector<double> dys(sz(T * nb * D * H));
  for (std::int64_t t = 0; t < T; ++t)
    for (std::int64_t b = 0; b < nb; ++b)
      for (std::int64_t k = 0; k < D * H; ++k)
        dys[sz((t * nb + b) * D * H + k)] = in.dy.get(sz((t * p.batch + entries[sz(b)]) * D * H + k));

  for (std::int64_t l = p.layers - 1; l >= 0; --l) {
    const std::int64_t il = p.layer_input(l);
    std::vector<double> dxs(sz(T * nb * il), 0.0);  // the gradient reaching this layer's input sequence
    for (std::int64_t d = 0; d < D; ++d) {
      const LayerWeights lw(p, in.weights, l, d, false);
      const Trace& tr = fwd.traces[sz(l * D + d)];
      const std::vector<double> h_prev = previous_states(p, nb, d, tr.h, in.hx, entries, l);
      const std::vector<double> c_prev = lstm ? previous_states(p, nb, d, tr.c, in.cx, entries, l)
                                              : std::vector<double>{};
      const double band = p.cell == RnnCell::rnn_relu ? relu_band * rms(tr.gates) : 0.0;

      std::vector<double> da_w(sz(T * nb * gh)), da_r_own(gru ? da_w.size() : 0);
      std::vector<double>& da_r = gru ? da_r_own : da_w;
      std::vector<double> dh(sz(nb * H)), dc(sz(nb * H)), dh_step(sz(H));
      for (std::int64_t b = 0; b < nb; ++b)
        for (std::int64_t j = 0; j < H; ++j) {
          const std::size_t at = state_index(p, p.batch, l, d, entries[sz(b)], j);
          dh[sz(b * H + j)] = in.dhy.get(at);
          if (lstm) dc[sz(b * H + j)] = in.dcy.get(at);
        }
      for (std::int64_t s = T - 1; s >= 0; --s) {
        const std::int64_t t = step_time(p, d, s);
        for (std::int64_t b = 0; b < nb; ++b) {
          const std::int64_t row = t * nb + b;
          for (std::int64_t j = 0; j < H; ++j) dh_step[sz(j)] = dh[sz(b * H + j)] + dys[sz((row * D + d) * H + j)];
          const StepRows rows{tr.gates.data() + row * gh,           tr.h.data() + row * H,
                              lstm ? tr.c.data() + row * H : nullptr, lstm ? c_prev.data() + row * H : nullptr,
                              h_prev.data() + row * H,               gru ? tr.m.data() + row * H : nullptr};
          cell_backward(p, rows, band, dh_step.data(), dc.data() + b * H, da_w.data() + row * gh,
                        da_r.data() + row * gh, dh.data() + b * H);
        }
        add_products(nb, gh, H, da_r.data() + t * nb * gh, lw.r.data(), dh.data());
      }
      for (std::int64_t b = 0; b < nb; ++b)
        for (std::int64_t j = 0; j < H; ++j) {
          const std::size_t at = state_index(p, nb, l, d, b, j);
          out.dhx[at] = dh[sz(b * H + j)];
          if (lstm) out.dcx[at] = dc[sz(b * H + j)];
        }
      add_products(T * nb, gh, il, da_w.data(), lw.w.data(), dxs.data());

      const RnnProblem::WeightOffsets o = p.weight_offsets(l, d);
      double* dw = out.dweights.data() + o.w;
      add_products(gh, T * nb, il, transposed(da_w, T * nb, gh).data(), fwd.inputs[sz(l)].data(), dw);
      add_products(gh, T * nb, H, transposed(da_r, T * nb, gh).data(), h_prev.data(), out.dweights.data() + o.r);
      for (std::int64_t row = 0; row < T * nb; ++row)
        for (std::int64_t g = 0; g < gh; ++g) {
          out.dweights[sz(o.b_w + g)] += da_w[sz(row * gh + g)];
          out.dweights[sz(o.b_r + g)] += da_r[sz(row * gh + g)];
        }
    }
    if (l == 0) {
      out.dx = std::move(dxs);
    } else {
      dys = std::move(dxs);
    }
  }
}

}  // namespace dlbench::rnn_detail
