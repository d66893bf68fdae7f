// What a convolution backend implements. A backend folder defines a ConvBackend and registers it with
// DLBENCH_REGISTER_BACKEND(dlbench::ConvBackend, "name", Type); the harness does the rest (inputs, reference,
// verification, timing, reporting).
#pragma once

#include <memory>
#include <string>

#include "common/host_buffer.hpp"
#include "conv/conv_problem.hpp"
#include "harness/backend.hpp"
#include "harness/csv_writer.hpp"
#include "harness/operation.hpp"

namespace dlbench {

// The three tensors of a convolution in the problem's layouts (conv_problem.hpp). The direction's two inputs hold
// random values; its output (dst for fwd, src for bwd_data, weights for bwd_filter) holds poison, which a backend
// copies in too, so an element the kernel never writes fails verification.
struct ConvTensors {
  const HostBuffer& src;
  const HostBuffer& weights;
  const HostBuffer& dst;
};

class ConvOperation : public Operation {
 public:
  // Copies the direction's output, in the problem's layout and output type, into `out` (sized by the harness).
  virtual void read_output(HostBuffer& out) = 0;
  // The kernel or implementation the library chose, as the library names it.
  virtual std::string implementation() const = 0;
  // The algorithm in the library's words (e.g. "IMPLICIT_PRECOMP_GEMM", "direct", "winograd") and how it was
  // chosen; becomes the `algorithm` column.
  virtual std::string algorithm() const = 0;
  // Scratch memory the call uses, bytes; becomes the `workspace_mb` column.
  virtual std::size_t workspace_bytes() const { return 0; }
};

class ConvBackend : public Backend {
 public:
  // Whether this backend can run `problem` (its direction, layout and precision); cheap, no large allocations.
  virtual Support supports(const ConvProblem& problem) const = 0;
  // Copies the tensors in and returns the call, ready to run; algorithm selection (and --autotune) happens here,
  // outside every timed region. Throws Unsupported if the library refuses the problem only now.
  virtual std::unique_ptr<ConvOperation> prepare(const ConvProblem& problem, const ConvTensors& tensors) = 0;
};

}  // namespace dlbench
