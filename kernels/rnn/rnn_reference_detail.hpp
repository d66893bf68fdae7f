// The pieces the float64 RNN reference is built from, shared by its forward (rnn_reference.cpp) and backward
// (rnn_backward.cpp) halves: a dense product kernel, the decoded weights of one layer and direction, and what the
// forward pass keeps for the backward one. Internal to kernels/rnn; backends use rnn_reference.hpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

#include "rnn/rnn_reference.hpp"

namespace dlbench::rnn_detail {

// C (rows × cols) += A (rows × inner) · B (inner × cols), every matrix dense and row-major, in float64.
//
// Each C element sums its products in increasing `inner` order whatever the blocking and the thread count, so the
// result is the same on every machine. The loop runs along rows of B and C (an axpy per A element), which
// vectorises without reassociating a dot product; columns are cut into blocks whose slice of B stays in a 256 KiB
// cache, and the blocks are shared among threads when the product is large enough to repay starting them.
template <class B>
void add_products(std::int64_t rows, std::int64_t inner, std::int64_t cols, const double* a, const B* b, double* c) {
  if (rows <= 0 || inner <= 0 || cols <= 0) return;
  const std::int64_t fit = (std::int64_t{256} << 10) / (inner * static_cast<std::int64_t>(sizeof(B)));
  const std::int64_t width = std::min(cols, std::max<std::int64_t>(16, fit / 16 * 16));
  const std::int64_t blocks = (cols + width - 1) / width;
  const auto run = [&](std::int64_t first, std::int64_t step) {
    for (std::int64_t blk = first; blk < blocks; blk += step) {
      const std::int64_t c0 = blk * width, w = std::min(width, cols - c0);
      for (std::int64_t r = 0; r < rows; ++r) {
        double* crow = c + r * cols + c0;
        const double* arow = a + r * inner;
        for (std::int64_t k = 0; k < inner; ++k) {
          const double av = arow[k];
          if (av == 0) continue;  // ReLU's zero derivatives and the zeroed gradients of unchecked entries
          const B* brow = b + k * cols + c0;
          for (std::int64_t j = 0; j < w; ++j) crow[j] += av * static_cast<double>(brow[j]);
        }
      }
    }
  };
  const double work = static_cast<double>(rows) * static_cast<double>(inner) * static_cast<double>(cols);
  const auto threads = static_cast<std::int64_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
  if (work < (1 << 20) || threads == 1 || blocks == 1) return run(0, 1);
  std::vector<std::thread> pool;
  const std::int64_t used = std::min(threads, blocks);
  for (std::int64_t t = 0; t < used; ++t) pool.emplace_back(run, t, used);
  for (auto& th : pool) th.join();
}

// The parameters of one layer and direction in float (every input type an RNN runs in, fp32, bf16 and fp16, is
// exact in float, which halves the memory the products stream through), in the orientation a product needs:
// forward reads W and R transposed (I_l × G·H, H × G·H), backward as stored (G·H × I_l, G·H × H).
struct LayerWeights {
  std::vector<float> w, r;
  std::vector<double> b_w, b_r;
  LayerWeights(const RnnProblem& p, const HostBuffer& weights, std::int64_t layer, std::int64_t direction,
               bool transposed);
};

// What the forward pass of one layer and direction keeps for the backward pass, rows indexed by time step t (not
// by processing order) and checked entry b, row t·nb + b.
struct Trace {
  std::vector<double> gates;  // T·nb × G·H: vanilla the pre-activation; LSTM i, f, g, o and GRU r, z, n activated
  std::vector<double> h;      // T·nb × H: the hidden state after step t
  std::vector<double> c;      // LSTM: T·nb × H, the cell state after step t
  std::vector<double> m;      // GRU: T·nb × H, R_n·h + b_Rn, what the reset gate multiplies
};

struct Forward {
  std::vector<std::vector<double>> inputs;  // per layer, its input sequence T·nb × I_l (layer 0: the entries of x)
  std::vector<Trace> traces;                // per layer and direction, l·D + d
  RnnReference out;                         // y, hy, cy
};

// Which time step the direction processes s-th: the backward direction runs the sequence in reverse.
inline std::int64_t step_time(const RnnProblem& p, std::int64_t direction, std::int64_t s) {
  return direction == 0 ? s : p.steps - 1 - s;
}

// Element (layer, direction, entry n, j) of a state tensor L × D × N × H with N = `batch`.
inline std::size_t state_index(const RnnProblem& p, std::int64_t batch, std::int64_t layer, std::int64_t direction,
                               std::int64_t n, std::int64_t j) {
  return static_cast<std::size_t>(((layer * p.directions() + direction) * batch + n) * p.hidden + j);
}

Forward rnn_forward(const RnnProblem& p, const RnnInputs& in, std::span<const std::int64_t> entries,
                    bool keep_trace);

// Backpropagation through time from the output gradients of `entries` into dx, dhx, dcx and dweights of `out`.
// ReLU derivatives whose pre-activation lies within relu_band·rms(pre-activations of its layer and direction) of
// zero are flipped (0 ↔ 1): check_rnn's measure of what a library's rounding near the kink may change. 0 flips none.
void rnn_backward(const RnnProblem& p, const RnnInputs& in, std::span<const std::int64_t> entries,
                  const Forward& fwd, double relu_band, RnnReference& out);

}  // namespace dlbench::rnn_detail
