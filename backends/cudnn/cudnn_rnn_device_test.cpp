// The cuDNN RNN backend on a GPU, on problems small enough to check completely: every cell, two layers,
// bidirectional, input width ≠ hidden width. The forward passes are compared with a float64 host implementation of
// the cells as rnn_problem.hpp defines them; the backward pass's every gradient (x, initial states, every weight)
// with central finite differences of that implementation. Together they check the weight mapping, gate orders,
// direction order and state layout on the device, which the host-side tests can only check against a simulation.
// Skipped, saying why, where the backend is unavailable (no GPU).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "common/host_buffer.hpp"
#include "harness/case.hpp"
#include "rnn/rnn_backend.hpp"

namespace dlbench {
namespace {

struct Values {
  std::vector<double> x, hx, cx, w;  // inputs, canonical layouts
};
struct States {
  std::vector<double> y, hy, cy;  // outputs, canonical layouts
};
struct OutputGradients {
  std::vector<double> dy, dhy, dcy;  // shaped as y, hy, cy
};

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

// The cells of rnn_problem.hpp in float64, layer by layer, each direction over its own order of the steps.
States reference_forward(const RnnProblem& p, const Values& in) {
  const std::int64_t T = p.steps, N = p.batch, H = p.hidden, D = p.directions(), G = p.gates();
  const bool lstm = p.has_cell_state();
  States out;
  out.hy.assign(static_cast<std::size_t>(p.state_elements()), 0);
  if (lstm) out.cy.assign(out.hy.size(), 0);
  std::vector<double> layer_in = in.x;
  const auto at = [](std::int64_t i) { return static_cast<std::size_t>(i); };
  for (std::int64_t l = 0; l < p.layers; ++l) {
    const std::int64_t I = p.layer_input(l);
    std::vector<double> layer_out(at(T * N * D * H));
    for (std::int64_t d = 0; d < D; ++d) {
      const RnnProblem::WeightOffsets o = p.weight_offsets(l, d);
      const std::int64_t s0 = (l * D + d) * N * H;
      std::vector<double> h(in.hx.begin() + s0, in.hx.begin() + s0 + N * H), c;
      if (lstm) c.assign(in.cx.begin() + s0, in.cx.begin() + s0 + N * H);
      for (std::int64_t step = 0; step < T; ++step) {
        const std::int64_t t = d == 0 ? step : T - 1 - step;
        for (std::int64_t n = 0; n < N; ++n) {
          std::vector<double> a(at(G * H)), b(at(G * H));  // W·x + b_W and R·h + b_R, gate rows
          for (std::int64_t j = 0; j < G * H; ++j) {
            a[at(j)] = in.w[at(o.b_w + j)];
            b[at(j)] = in.w[at(o.b_r + j)];
            for (std::int64_t k = 0; k < I; ++k)
              a[at(j)] += in.w[at(o.w + j * I + k)] * layer_in[at((t * N + n) * I + k)];
            for (std::int64_t k = 0; k < H; ++k) b[at(j)] += in.w[at(o.r + j * H + k)] * h[at(n * H + k)];
          }
          for (std::int64_t r = 0; r < H; ++r) {
            const auto gate = [&](std::int64_t g) { return a[at(g * H + r)] + b[at(g * H + r)]; };
            double& hr = h[at(n * H + r)];
            switch (p.cell) {
              case RnnCell::rnn_relu: hr = std::max(0.0, gate(0)); break;
              case RnnCell::rnn_tanh: hr = std::tanh(gate(0)); break;
              case RnnCell::lstm: {
                double& cr = c[at(n * H + r)];
                cr = sigmoid(gate(1)) * cr + sigmoid(gate(0)) * std::tanh(gate(2));
                hr = sigmoid(gate(3)) * std::tanh(cr);
                break;
              }
              case RnnCell::gru: {
                const double reset = sigmoid(gate(0)), update = sigmoid(gate(1));
                const double candidate = std::tanh(a[at(2 * H + r)] + reset * b[at(2 * H + r)]);
                hr = (1 - update) * candidate + update * hr;
                break;
              }
            }
            layer_out[at((t * N + n) * D * H + d * H + r)] = hr;
          }
        }
      }
      std::copy(h.begin(), h.end(), out.hy.begin() + s0);
      if (lstm) std::copy(c.begin(), c.end(), out.cy.begin() + s0);
    }
    layer_in = std::move(layer_out);
  }
  out.y = std::move(layer_in);
  return out;
}

std::vector<double> values_of(const HostBuffer& b) {
  std::vector<double> v(b.count());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = b.get(i);
  return v;
}

HostBuffer random_buffer(DataType t, std::int64_t count, std::uint64_t seed) {
  HostBuffer b(t, static_cast<std::size_t>(count));
  if (count > 0) fill_random(b, seed);
  return b;
}

// ‖got − want‖ / ‖want‖; NaN (poison never overwritten) fails every comparison with it.
double relative_error(const std::vector<double>& got, const std::vector<double>& want) {
  if (got.size() != want.size()) return INFINITY;
  double diff = 0, norm = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    diff += (got[i] - want[i]) * (got[i] - want[i]);
    norm += want[i] * want[i];
  }
  return std::isnan(diff) ? INFINITY : std::sqrt(diff / std::max(norm, 1e-300));
}

RnnProblem small(RnnCell cell, RnnPass pass, Precision precision = Precision::fp32) {
  RnnProblem p;
  p.cell = cell;
  p.hidden = 4;
  p.input = 5;
  p.batch = 2;
  p.steps = 3;
  p.layers = 2;
  p.bidirectional = true;
  p.pass = pass;
  p.precision = precision;
  return p;
}

// The inputs of one small case, random in its input type, and the gradients of the outputs for training_bwd.
struct Case {
  RnnProblem p;
  HostBuffer x, hx, cx, w, dy, dhy, dcy;
  explicit Case(const RnnProblem& problem) : p(problem) {
    const DataType in = p.types().input, out = p.types().output;
    const bool bwd = p.pass == RnnPass::training_bwd, lstm = p.has_cell_state();
    x = random_buffer(in, p.x_elements(), 1);
    hx = random_buffer(in, p.state_elements(), 2);
    cx = random_buffer(in, lstm ? p.state_elements() : 0, 3);
    w = random_buffer(in, p.weight_elements(), 4);
    dy = random_buffer(out, bwd ? p.y_elements() : 0, 5);
    dhy = random_buffer(out, bwd ? p.state_elements() : 0, 6);
    dcy = random_buffer(out, bwd && lstm ? p.state_elements() : 0, 7);
  }
  RnnInputs inputs() const { return {x, hx, cx, w, dy, dhy, dcy}; }
  Values values() const { return {values_of(x), values_of(hx), values_of(cx), values_of(w)}; }
};

std::shared_ptr<RnnBackend> backend() {
  // Leaked on purpose, as the conformance test does: destroyed at exit, it would release its cuDNN handle after the
  // CUDA runtime has shut down.
  static auto* b = Registry<RnnBackend>::instance().create("cudnn", {1, 0}).release();
  return std::shared_ptr<RnnBackend>(b, [](RnnBackend*) {});
}

constexpr RnnCell kCells[] = {RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru};

TEST(CudnnRnnDevice, ForwardMatchesTheHostCells) {
  const auto b = backend();
  if (!b->availability().available) GTEST_SKIP() << "cuDNN backend unavailable: " << b->availability().reason;
  for (RnnCell cell : kCells)
    for (RnnPass pass : {RnnPass::inference, RnnPass::training_fwd})
      for (Precision precision : {Precision::fp32, Precision::fp16, Precision::bf16}) {
        const Case c(small(cell, pass, precision));
        SCOPED_TRACE(c.p.to_string());
        const Support s = b->supports(c.p);
        if (!s.ok) {
          EXPECT_EQ(precision, Precision::bf16) << s.reason;  // before sm_80
          continue;
        }
        std::unique_ptr<RnnOperation> op;
        try {
          op = b->prepare(c.p, c.inputs());
        } catch (const Unsupported& e) {
          // A cuDNN without bf16 RNNs says so while preparing; fp32 and fp16 must run.
          EXPECT_EQ(precision, Precision::bf16) << e.what();
          continue;
        }
        op->run();
        const DataType out = c.p.types().output;
        const auto n = [](std::int64_t count) { return static_cast<std::size_t>(count); };
        RnnOutputs got;
        got.y = HostBuffer(out, n(c.p.y_elements()));
        got.hy = HostBuffer(out, n(c.p.state_elements()));
        if (c.p.has_cell_state()) got.cy = HostBuffer(out, n(c.p.state_elements()));
        op->read_outputs(got);
        const States want = reference_forward(c.p, c.values());
        const double tolerance = c.p.types().tolerance;
        EXPECT_LT(relative_error(values_of(got.y), want.y), tolerance) << op->implementation();
        EXPECT_LT(relative_error(values_of(got.hy), want.hy), tolerance);
        if (c.p.has_cell_state()) {
          EXPECT_LT(relative_error(values_of(got.cy), want.cy), tolerance);
        }
      }
}

// L = Σ dy·y + Σ dhy·hy + Σ dcy·cy: its gradient with respect to any input is what the backward pass computes.
double loss(const RnnProblem& p, const Values& v, const OutputGradients& g) {
  const States s = reference_forward(p, v);
  double l = 0;
  for (std::size_t i = 0; i < s.y.size(); ++i) l += g.dy[i] * s.y[i];
  for (std::size_t i = 0; i < s.hy.size(); ++i) l += g.dhy[i] * s.hy[i];
  for (std::size_t i = 0; i < s.cy.size(); ++i) l += g.dcy[i] * s.cy[i];
  return l;
}

// Central differences of the loss along every element of one input.
std::vector<double> numeric_gradient(const RnnProblem& p, Values v, std::vector<double> Values::*field,
                                     const OutputGradients& grads_out) {
  constexpr double eps = 1e-6;
  std::vector<double> g((v.*field).size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    const double keep = (v.*field)[i];
    (v.*field)[i] = keep + eps;
    const double up = loss(p, v, grads_out);
    (v.*field)[i] = keep - eps;
    const double down = loss(p, v, grads_out);
    (v.*field)[i] = keep;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

TEST(CudnnRnnDevice, BackwardMatchesFiniteDifferencesAndRepeats) {
  const auto b = backend();
  if (!b->availability().available) GTEST_SKIP() << "cuDNN backend unavailable: " << b->availability().reason;
  for (RnnCell cell : kCells) {
    const Case c(small(cell, RnnPass::training_bwd));
    SCOPED_TRACE(c.p.to_string());
    const auto op = b->prepare(c.p, c.inputs());
    const DataType out = c.p.types().output;
    const auto n = [](std::int64_t count) { return static_cast<std::size_t>(count); };
    const bool lstm = c.p.has_cell_state();
    const auto backward = [&] {
      op->before_call();
      op->run();
      RnnOutputs got;
      got.dx = HostBuffer(out, n(c.p.x_elements()));
      got.dhx = HostBuffer(out, n(c.p.state_elements()));
      if (lstm) got.dcx = HostBuffer(out, n(c.p.state_elements()));
      got.dweights = HostBuffer(out, n(c.p.weight_elements()));
      op->read_outputs(got);
      return got;
    };
    const RnnOutputs first = backward();
    const OutputGradients grads_out{values_of(c.dy), values_of(c.dhy), values_of(c.dcy)};
    const Values v = c.values();
    constexpr double tolerance = 1e-4;  // fp32 device arithmetic against float64 differences
    EXPECT_LT(relative_error(values_of(first.dx), numeric_gradient(c.p, v, &Values::x, grads_out)), tolerance);
    EXPECT_LT(relative_error(values_of(first.dhx), numeric_gradient(c.p, v, &Values::hx, grads_out)), tolerance);
    if (lstm) {
      EXPECT_LT(relative_error(values_of(first.dcx), numeric_gradient(c.p, v, &Values::cx, grads_out)), tolerance);
    }
    EXPECT_LT(relative_error(values_of(first.dweights), numeric_gradient(c.p, v, &Values::w, grads_out)), tolerance);
    // run() is timed many times after one forward pass, with before_call() before each: each call must give the
    // same gradients, the weights' included (zeroed before each accumulation).
    const RnnOutputs again = backward();
    EXPECT_LT(relative_error(values_of(again.dx), values_of(first.dx)), 1e-6);
    EXPECT_LT(relative_error(values_of(again.dhx), values_of(first.dhx)), 1e-6);
    EXPECT_LT(relative_error(values_of(again.dweights), values_of(first.dweights)), 1e-6);
  }
}

}  // namespace
}  // namespace dlbench
