// What an allreduce backend implements. A backend folder defines an AllReduceBackend and registers it with
// DLBENCH_REGISTER_BACKEND(dlbench::AllReduceBackend, "name", Type); the harness does the rest (exact inputs, the
// `wrong` count, agreement across ranks, timing, reporting).
//
// A run's ranks are its processes (BackendSettings::group) times the ranks each process drives
// (ranks_per_process(): NCCL's single-process mode drives --gpus devices, one rank each). Rank numbers follow
// process order: process p holds ranks p·ranks_per_process() onwards.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "allreduce/allreduce_problem.hpp"
#include "harness/backend.hpp"
#include "harness/operation.hpp"

namespace dlbench {

class AllReduceOperation : public Operation {
 public:
  // run() is one allreduce on every rank of this process (collective over the run's ranks).
  // Copies local rank k's result (count elements of the type) to `out`, after the last call has finished.
  virtual void read_output(int local_rank, void* out) = 0;
  // What the library runs, in its words where it has them.
  virtual std::string implementation() const = 0;
};

class AllReduceBackend : public Backend {
 public:
  virtual int ranks_per_process() const { return 1; }
  // The run's ranks; never 0, also when the backend is unavailable.
  virtual int ranks() const = 0;
  // Where the buffers live: "host" or "device" (the `buffers` column).
  virtual std::string buffers() const = 0;
  // Whether this backend can run `problem` (type, reduction, size); cheap, no large allocations.
  virtual Support supports(const AllReduceProblem& problem) const = 0;
  // Allocates the buffers, copies each local rank's input in (inputs[k], count elements of the type) and fills the
  // output buffers with `poison` (count elements no correct result contains). Makes no collective call: the harness
  // makes sure every rank has prepared before any rank makes the first.
  virtual std::unique_ptr<AllReduceOperation> prepare(const AllReduceProblem& problem,
                                                      std::span<const void* const> inputs, const void* poison) = 0;
};

}  // namespace dlbench
