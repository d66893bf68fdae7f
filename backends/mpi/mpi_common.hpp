// What the MPI backends share: their communicator, the library's name, and how allreduce's types and reductions
// map to MPI's. MPI has datatypes for fp32, fp64 and int32, and sum, max and min for them. It has no 16-bit
// floating-point datatype (MPI 4.1 has none; MPIX_C_FLOAT16 is an extension Open MPI 4.1 does not have) and no
// average, so those cases are skipped with that reason rather than run through a user-defined MPI_Op, which would
// time dlbench's reduction loop instead of the library's.
#pragma once

#include <mpi.h>

#include <string>

#include "allreduce/allreduce_problem.hpp"
#include "harness/backend.hpp"

namespace dlbench::mpi {

MPI_Datatype datatype(DataType t);  // MPI_DATATYPE_NULL when MPI has none
MPI_Op reduction(ReduceOp op);      // MPI_OP_NULL when MPI has none
// Whether MPI_Allreduce can run `p`: not without the datatype or the reduction, nor for counts beyond int.
Support supports(const AllReduceProblem& p);

// One MPI_Allreduce of `p` over `comm`: from `in` into `out`, or over `in` with MPI_IN_PLACE when p.inplace (`out`
// unused). Throws on an error code (under MPI's default handler an error aborts the job first).
void allreduce(const AllReduceProblem& p, MPI_Comm comm, void* in, void* out);

// Whether the library reads device buffers, in words, for the run's context.
std::string cuda_awareness();
// MPIX_Query_cuda_support() where the library has it; false elsewhere.
bool cuda_aware();

// The ranks of MPI_COMM_WORLD, through a duplicate of it, so the harness's own collectives never interleave with
// the timed ones.
class World {
 public:
  explicit World(const BackendSettings& settings);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  MPI_Comm comm() const { return comm_; }
  int ranks() const { return ranks_; }
  const std::string& unavailable() const { return unavailable_; }  // empty when MPI is usable here
  const std::string& library() const { return library_; }          // "Open MPI v4.1.4"
  const std::string& standard() const { return standard_; }        // "3.1"

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int ranks_ = 1;
  std::string unavailable_, library_ = "MPI", standard_;
};

}  // namespace dlbench::mpi
