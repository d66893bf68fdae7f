// The recurrent-layer problem as a value: a stack of vanilla, LSTM or GRU layers over a sequence, one pass of it
// (inference forward, training forward, training backward) in one precision, with its two FLOP conventions
// (MEASURE.md §3) and canonical name.
//
// The cells, as PyTorch and cuDNN define them (x input, h hidden state, W input weights, R recurrent weights, one
// bias for each of the two per gate):
//   vanilla  h' = act(W·x + b_W + R·h + b_R), act = relu or tanh
//   lstm     gates i, f, g, o: i = σ(W_i·x + b_Wi + R_i·h + b_Ri), likewise f and o with σ and g with tanh;
//            c' = f∘c + i∘g, h' = o∘tanh(c')
//   gru      gates r, z, n: r = σ(W_r·x + b_Wr + R_r·h + b_Rr), z likewise, n = tanh(W_n·x + b_Wn + r∘(R_n·h + b_Rn)),
//            h' = (1 − z)∘n + z∘h   ("linear before reset": oneDNN calls it lbr_gru)
// Layer l > 0 reads the previous layer's output, of width D·H (D = 2 when bidirectional: the backward direction runs
// the sequence in reverse and its outputs are concatenated after the forward one's).
//
// Memory convention (every backend follows it whatever its library's own layout; all dense, row-major):
//   x        T × N × I                 time-major input sequence
//   hx, cx   L × D × N × H             initial hidden (and, LSTM, cell) state of each layer and direction
//   weights  for l in 0..L-1, for d in 0..D-1: W (G·H × I_l), R (G·H × H), b_W (G·H), b_R (G·H), back to back;
//            gate blocks in the order above (G = 1, 4 or 3); I_0 = I, I_l = D·H
//   y        T × N × D·H               last layer's output sequence
//   hy, cy   L × D × N × H             final states
// The training backward pass reads dy, dhy, dcy (shaped as y, hy, cy) and writes dx, dhx, dcx (shaped as x, hx,
// cx) and dweights (shaped as weights). Inputs and weights are in the precision's input type, outputs and
// gradients in its output type.
//
// Canonical name: `<cell>_h<H>i<I>n<N>t<T>[l<L>]_<uni|bi>_<pass>_<precision>`, cell one of rnn_relu, rnn_tanh,
// lstm, gru; pass one of inference, training_fwd, training_bwd; e.g. `lstm_h1024i1024n64t25_uni_inference_fp16`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/precision.hpp"

namespace dlbench {

enum class RnnCell { rnn_relu, rnn_tanh, lstm, gru };
// inference: forward only. training_fwd: the forward pass of training, which also keeps what backward needs.
// training_bwd: gradients of the inputs, initial states and weights (backward data + backward weights).
enum class RnnPass { inference, training_fwd, training_bwd };

std::string_view to_string(RnnCell cell);
std::string_view to_string(RnnPass pass);
std::optional<RnnCell> parse_rnn_cell(std::string_view text);
std::optional<RnnPass> parse_rnn_pass(std::string_view text);

struct RnnProblem {
  RnnCell cell = RnnCell::lstm;
  std::int64_t hidden = 1, input = 1, batch = 1, steps = 1, layers = 1;
  bool bidirectional = false;
  RnnPass pass = RnnPass::inference;
  Precision precision = Precision::fp32;

  const PrecisionInfo& types() const { return info(precision); }

  std::int64_t gates() const;  // G: 1 vanilla, 4 LSTM, 3 GRU
  std::int64_t directions() const { return bidirectional ? 2 : 1; }
  bool has_cell_state() const { return cell == RnnCell::lstm; }
  std::int64_t layer_input(std::int64_t l) const { return l == 0 ? input : directions() * hidden; }

  std::int64_t x_elements() const { return steps * batch * input; }
  std::int64_t y_elements() const { return steps * batch * directions() * hidden; }
  std::int64_t state_elements() const { return layers * directions() * batch * hidden; }  // hx, hy (cx, cy)
  // Offsets of one layer and direction's parameters in the weights buffer.
  struct WeightOffsets {
    std::int64_t w, r, b_w, b_r, end;
  };
  WeightOffsets weight_offsets(std::int64_t layer, std::int64_t direction) const;
  std::int64_t weight_elements() const;

  // Full-layer convention: the FLOPs of both GEMMs of every step, 2·G·N·(I_l + H)·H·T per layer and direction,
  // what a cuDNN or oneDNN layer call computes; backward (data + weights) counts twice the forward.
  double flops() const;
  // DeepBench's convention: the recurrent GEMMs only (vanilla 2·T·N·H² + T·N·H, LSTM 8·T·N·H², GRU 6·T·N·H² per
  // layer and direction), backward data and backward weights each counted as the forward, so training_bwd is 2×.
  double flops_deepbench() const;
  // The tensors the pass reads, read once, and those it writes, written once.
  double min_bytes() const;
  double intensity() const { return flops() / min_bytes(); }

  // The canonical name; without the precision it names the problem in every precision. shape_string() is
  // `<cell>_h..i..n..t..[l..]_<uni|bi>`, what a --problem row is labelled with.
  std::string to_string(bool with_precision = true) const;
  std::string shape_string() const;

  struct Given {
    bool direction = false, pass = false, precision = false;
  };
  // Reads a canonical name. With `given` non-null the `uni|bi`, pass and precision tokens may each be left out
  // (defaults stay) and *given says which were there; with it null all are required. Throws InputError.
  static RnnProblem parse(std::string_view text, const std::string& where = "problem", Given* given = nullptr);

  // Why the problem cannot run in its precision (int8/fp8 RNNs need quantisation scales this suite does not
  // model), or nullopt.
  std::optional<std::string> unsupported_reason() const;

  friend bool operator==(const RnnProblem&, const RnnProblem&) = default;
};

}  // namespace dlbench
