// What an RNN backend implements. A backend folder defines an RnnBackend and registers it with
// DLBENCH_REGISTER_BACKEND(dlbench::RnnBackend, "name", Type); the harness does the rest (inputs, reference,
// verification, timing, reporting).
#pragma once

#include <memory>
#include <string>

#include "harness/backend.hpp"
#include "harness/operation.hpp"
#include "rnn/rnn_data.hpp"

namespace dlbench {

class RnnOperation : public Operation {
 public:
  // Copies the pass's outputs into `out`, converting from the library's layout and gate order.
  virtual void read_outputs(RnnOutputs& out) = 0;
  // For training_bwd: replaces dy, dhy and dcy with these (same shapes). The harness verifies large problems with
  // gradients that are non-zero on a few batch entries only, so that a float64 reference of those entries
  // suffices, then loads full random gradients before timing.
  virtual void load_output_gradients(const RnnInputs& inputs) = 0;
  // The kernel or implementation the library chose, as the library names it.
  virtual std::string implementation() const = 0;
  // The algorithm in the library's words (e.g. "CUDNN_RNN_ALGO_STANDARD"); becomes the `algorithm` column.
  virtual std::string algorithm() const = 0;
  // Workspace (and reserve space, for training) the call uses, bytes; becomes the `workspace_mb` column.
  virtual std::size_t workspace_bytes() const { return 0; }
};

class RnnBackend : public Backend {
 public:
  // Whether this backend can run `problem` (cell, pass and precision); cheap, no large allocations.
  virtual Support supports(const RnnProblem& problem) const = 0;
  // Copies the inputs in and returns the pass, ready to run. For training_bwd the backend runs the training forward
  // pass here, untimed, so that run() times the backward pass alone (data and weights gradients, with the weights
  // gradient zeroed first, since libraries accumulate into it, as a framework's training step does).
  virtual std::unique_ptr<RnnOperation> prepare(const RnnProblem& problem, const RnnInputs& inputs) = 0;
};

}  // namespace dlbench
