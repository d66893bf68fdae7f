#include "mpi_common.hpp"

#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h>  // Open MPI's MPIX_Query_cuda_support
#endif

#include <stdexcept>

#include "harness/process_group.hpp"
#include "mpi/mpi_process_group.hpp"

namespace dlbench::mpi {

MPI_Datatype datatype(DataType t) {
  switch (t) {
    case DataType::f32: return MPI_FLOAT;
    case DataType::f64: return MPI_DOUBLE;
    case DataType::s32: return MPI_INT32_T;
    default: return MPI_DATATYPE_NULL;
  }
}

MPI_Op reduction(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return MPI_SUM;
    case ReduceOp::max: return MPI_MAX;
    case ReduceOp::min: return MPI_MIN;
    default: return MPI_OP_NULL;
  }
}

Support supports(const AllReduceProblem& p) {
  if (datatype(p.type) == MPI_DATATYPE_NULL)
    return Support::no("MPI has no " + std::string(allreduce_type_name(p.type)) + " datatype");
  if (reduction(p.op) == MPI_OP_NULL) return Support::no("MPI has no " + std::string(to_string(p.op)) + " reduction");
  if (p.count > 2147483647) return Support::no("more than 2^31-1 elements: MPI_Allreduce counts are int");
  return Support::yes();
}

void allreduce(const AllReduceProblem& p, MPI_Comm comm, void* in, void* out) {
  const int rc = MPI_Allreduce(p.inplace ? MPI_IN_PLACE : in, p.inplace ? in : out, static_cast<int>(p.count),
                               datatype(p.type), reduction(p.op), comm);
  if (rc != MPI_SUCCESS) throw std::runtime_error("MPI_Allreduce failed with error " + std::to_string(rc));
}

bool cuda_aware() {
#if defined(MPIX_CUDA_AWARE_SUPPORT)
  return MPIX_Query_cuda_support() == 1;
#else
  return false;
#endif
}

std::string cuda_awareness() {
#if defined(MPIX_CUDA_AWARE_SUPPORT)
  return cuda_aware() ? "yes (MPIX_Query_cuda_support() = 1)"
                      : "no (MPIX_Query_cuda_support() = 0; built with CUDA support: " +
                            std::string(MPIX_CUDA_AWARE_SUPPORT ? "yes" : "no") + ")";
#else
  return "unknown (the MPI library has no MPIX_Query_cuda_support)";
#endif
}

World::World(const BackendSettings& s) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // Linked into a binary whose process group is not MPI's: nothing here can run.
    unavailable_ = "MPI is not initialised in this process (the binary was not linked with bench/mpi)";
    return;
  }
  MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
  MPI_Comm_size(comm_, &ranks_);
  if (s.group && s.group->size() != ranks_)
    unavailable_ = "the run's process group has " + std::to_string(s.group->size()) + " processes but MPI_COMM_WORLD " +
                   std::to_string(ranks_);
  char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(version, &length);
  library_ = mpi_library_name(std::string(version, length));
  int major = 0, minor = 0;
  MPI_Get_version(&major, &minor);
  standard_ = std::to_string(major) + "." + std::to_string(minor);
}

World::~World() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

}  // namespace dlbench::mpi
