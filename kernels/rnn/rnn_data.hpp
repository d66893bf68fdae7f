// The tensors of one RNN pass in the canonical layouts of rnn_problem.hpp: the inputs a backend reads, the outputs it
// writes, and how the harness makes them. Shared by the float64 reference (rnn_reference.hpp) and every backend
// (bench/rnn/rnn_backend.hpp), so the two can never disagree on a shape.
#pragma once

#include <cstdint>
#include <span>

#include "common/host_buffer.hpp"
#include "rnn/rnn_problem.hpp"

namespace dlbench {

// The inputs of a pass. cx and dcy are empty unless the cell is an LSTM; dy, dhy and dcy are empty unless the pass
// is training_bwd.
struct RnnInputs {
  const HostBuffer& x;
  const HostBuffer& hx;
  const HostBuffer& cx;
  const HostBuffer& weights;
  const HostBuffer& dy;
  const HostBuffer& dhy;
  const HostBuffer& dcy;
};

// The outputs of a pass, in the problem's output type: y, hy (and cy) for the forward passes, dx, dhx (and dcx)
// and dweights for training_bwd; the others are empty.
struct RnnOutputs {
  HostBuffer y, hy, cy;
  HostBuffer dx, dhx, dcx, dweights;
};

// Owns the inputs of one pass: x, hx, cx (and dy, dhy, dcy for training_bwd) uniform in [-1, 1) in their types;
// the weights uniform in [-s, s) with s = 2^-round(log2 √fan_in) of their layer (fan_in = I_l + H), so a gate's
// pre-activation stays of order one at any width, as a trained network's does: with weights in [-1, 1) a
// 1024-wide LSTM would saturate every gate and its gradients would vanish, leaving nothing to verify. A power of
// two scales every precision's values exactly.
struct RnnData {
  HostBuffer x, hx, cx, weights, dy, dhy, dcy;

  RnnData(const RnnProblem& p, std::uint64_t seed);
  RnnInputs inputs() const { return {x, hx, cx, weights, dy, dhy, dcy}; }
  // training_bwd: zeroes dy, dhy and dcy except on the given batch entries, so that every gradient depends on those
  // entries alone and a float64 reference of them checks it (rnn_reference.hpp). `seed` as for the constructor.
  void keep_output_gradients_of(const RnnProblem& p, std::span<const std::int64_t> batch_entries);
  // training_bwd: the full random gradients again, as the constructor made them.
  void restore_output_gradients(const RnnProblem& p);

 private:
  std::uint64_t seed_;
};

// The pass's outputs, allocated in the output type and filled with poison (NaN), so an element the backend never
// writes fails the check.
RnnOutputs make_rnn_outputs(const RnnProblem& p);

}  // namespace dlbench
