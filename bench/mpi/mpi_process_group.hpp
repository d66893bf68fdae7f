// The process group of a run started by an MPI launcher (mpirun, mpiexec, srun with PMI/PMIx) or as an MPI
// singleton (one process started directly). Collectives go through a communicator of their own, duplicated from
// MPI_COMM_WORLD, so the harness's messages never meet a backend's.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "harness/process_group.hpp"

namespace dlbench {

class MpiProcessGroup final : public ProcessGroup {
 public:
  // Initialises MPI (launcher arguments in argv may be consumed) unless something already has.
  MpiProcessGroup(int& argc, char**& argv);
  ~MpiProcessGroup() override;
  MpiProcessGroup(const MpiProcessGroup&) = delete;
  MpiProcessGroup& operator=(const MpiProcessGroup&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string host() const override { return host_; }
  std::string describe() const override { return description_; }

  void all_reduce(std::span<double> values, Reduction op) override;
  std::vector<std::string> all_gather(const std::string& mine) override;
  std::string broadcast(const std::string& text) override;
  void barrier() override;

 private:
  bool initialized_here_ = false;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  std::string host_, description_;
};

// "Open MPI v4.1.4" from MPI_Get_library_version's first line, without the package details that follow.
std::string mpi_library_name(const std::string& version_text);

}  // namespace dlbench
