// What a GEMM backend implements. A backend folder defines a GemmBackend and registers it with
// DLBENCH_REGISTER_BACKEND(dlbench::GemmBackend, "name", Type); the harness does the rest (inputs, reference,
// verification, timing, reporting).
#pragma once

#include <memory>
#include <string>

#include "gemm/gemm_problem.hpp"
#include "gemm/gemm_reference.hpp"
#include "harness/backend.hpp"
#include "harness/operation.hpp"

namespace dlbench {

// How the harness asks a backend to hold B. `packed` is the library's own layout, prepared from the plain matrix
// outside the timed region, as inference engines do with weights; backends without one run plain and say so.
enum class BLayout { plain, packed };
std::string to_string(BLayout layout);

struct GemmConfig {
  BLayout b_layout = BLayout::plain;
};

class GemmOperation : public Operation {
 public:
  // Copies D, row-major in the precision's output type, into `d` (sized by the harness).
  virtual void read_output(HostBuffer& d) = 0;
  // The kernel or algorithm the library chose, as the library names it.
  virtual std::string implementation() const = 0;
};

class GemmBackend : public Backend {
 public:
  // Whether this backend can run `problem` in `config`; cheap, no large allocations.
  virtual Support supports(const GemmProblem& problem, const GemmConfig& config) const = 0;
  // false: the backend generates its operands on its device from operands.seeds (element_codec.hpp) and never
  // reads the host buffers' storage, so the harness may hand it generated buffers (HostBuffer::generated) for
  // problems it checks by sampling, and never materialise gigabytes of inputs on the host.
  virtual bool reads_host_operands() const { return true; }
  // Copies the operands in (C is D's initial contents) and returns the call, ready to run. Throws Unsupported
  // if the library refuses the problem only now.
  virtual std::unique_ptr<GemmOperation> prepare(const GemmProblem& problem, const GemmConfig& config,
                                                 const GemmOperands& operands) = 0;
};

}  // namespace dlbench
