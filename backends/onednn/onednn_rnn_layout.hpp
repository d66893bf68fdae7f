// How the canonical RNN of rnn_problem.hpp maps onto oneDNN 2.6's RNN primitives: which primitives run the stack,
// the gate orders, the biases, the weight layouts and the element types. Checked against oneDNN's developer guide
// ("RNN", doc/primitives/rnn.md); every rule below is one the reference check (check_rnn) exercises.
//
// Cells. rnn_relu, rnn_tanh → vanilla_rnn with eltwise_relu (alpha 0) or eltwise_tanh; lstm → vanilla_lstm; gru →
// lbr_gru, whose "linear before reset" candidate o = tanh(W_o·x + B_o + r∘(U_o·h + B_u')) is the canonical n.
// Gate order (oneDNN gate k holds canonical gate canonical_gate(k)):
//   vanilla  one gate
//   lstm     oneDNN i, f, c̃, o = canonical i, f, g, o: the identity
//   gru      oneDNN u, r, o = canonical z, r, n: oneDNN's update gate u is the canonical z (both give
//            h' = u∘h + (1 − u)∘o), so k = 0, 1, 2 reads canonical gates 1, 0, 2.
// Bias. oneDNN has one bias per gate, added once (ldgo, always f32), where the canonical cells have b_W and b_R:
//   vanilla, lstm  B_k = b_W[g] + b_R[g] (g = canonical_gate(k)); exact in f32 for inputs in f32 or bf16.
//   gru            G + 1 bias gates u, r, o, u': B_u = b_Wz + b_Rz, B_r = b_Wr + b_Rr, B_o = b_Wn and
//                  B_u' = b_Rn, the recurrent bias inside r∘(·).
// The gradient of a summed bias is the gradient of each of its terms: d b_W[g] = d b_R[g] = d B_k; for the GRU's
// candidate d b_Wn = d B_o and d b_Rn = d B_u'.
// Weights. Canonical W is (G·H × I_l) and R (G·H × H), row g·H + h; oneDNN's plain layout ldigo is
// {layers, directions, input channels, gates, H}: the transpose of each gate block, W_onednn[l][d][i][k][h] =
// W[canonical_gate(k)·H + h][i]. The primitives take their weights in a layout of their choice (format_tag::any),
// reordered from ldigo once in prepare; diff weights come back through ldigo (f32) too.
// States. Canonical hx, hy, cx, cy (L × D × N × H) are oneDNN's ldnc exactly; a primitive over layers [a, b) reads
// the contiguous slice of layers a..b-1. x, y (T × N × C) are oneDNN's tnc.
// Stacks. oneDNN runs a stack of L layers in one primitive only if every layer reads as many channels as the stack
// writes (doc: "when L > 1, channels(src_layer) = channels(dst_layer)"), and its bidirectional_concat runs "all the
// stacked layers from left2right and from right2left independently": layer l > 0 of one direction reads only that
// direction's layer l − 1, not the concatenation the canonical stack reads. So:
//   L = 1, or unidirectional with I = H   one primitive
//   unidirectional, L > 1, I ≠ H          layer 0, then layers 1..L-1 (which read H = what they write)
//   bidirectional, L > 1                  one primitive per layer, each bidirectional_concat over 2H channels
// the output sequence of one primitive being the input of the next (in the data type; fp32 or bf16, as oneDNN keeps
// a stack's inner layers itself).
// Types (oneDNN's RNN data type table): fp32 everything f32. bf16: x, h states, weights and y in bf16, bias f32, the
// LSTM cell state f32 (oneDNN accepts bf16 too; f32 keeps c unrounded between steps, as frameworks do, and cx in
// bf16 converts exactly); backward's diff tensors are all f32 (oneDNN refuses bf16 ones), converted to the bf16
// output type on read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/host_buffer.hpp"
#include "rnn/rnn_problem.hpp"

namespace dlbench::onednn {

// One oneDNN RNN primitive of the stack: layers [first, first + count), each reading `input` channels per step.
struct RnnStage {
  std::int64_t first = 0, count = 1, input = 1;
};
std::vector<RnnStage> rnn_stages(const RnnProblem& p);
// "layers 1-3" or "layer 0".
std::string layers_string(const RnnStage& s);

// The canonical gate (rnn_problem.hpp order) that oneDNN's gate k holds.
std::int64_t canonical_gate(RnnCell cell, std::int64_t onednn_gate);
// oneDNN's bias gates: G, or G + 1 for lbr_gru.
std::int64_t bias_gates(RnnCell cell);

// The element types oneDNN's tensors have for a precision (see above); the problem's supported precisions only.
struct RnnTypes {
  DataType data = DataType::f32;        // x, y, h states, weights
  DataType cell_state = DataType::f32;  // LSTM c
  DataType diff = DataType::f32;        // every diff_* tensor of backward
};
RnnTypes rnn_types(const RnnProblem& p);

// The stage's parameters from the canonical weights: weights_layer and weights_iter in plain ldigo, in `type`, and
// the ldgo f32 bias.
void weights_to_onednn(const RnnProblem& p, const RnnStage& s, const HostBuffer& canonical, DataType type,
                       void* layer, void* iter, float* bias);
// The stage's part of the canonical weights gradient from ldigo f32 diff_weights_layer/iter and the ldgo diff_bias.
void dweights_from_onednn(const RnnProblem& p, const RnnStage& s, const float* layer, const float* iter,
                          const float* bias, HostBuffer& canonical);

// Copies `count` elements converting between element types (a memcpy when they are the same).
void convert(const void* from, DataType from_type, void* to, DataType to_type, std::size_t count);
// Fills a buffer of `count` elements of `type` with NaN, so an element a pass never writes fails the check.
void poison(void* data, DataType type, std::size_t count);

}  // namespace dlbench::onednn
