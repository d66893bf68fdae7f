#include "mpi/mpi_process_group.hpp"

#include <set>

namespace dlbench {

std::unique_ptr<ProcessGroup> make_process_group(int& argc, char**& argv) {
  return std::make_unique<MpiProcessGroup>(argc, argv);
}

std::string mpi_library_name(const std::string& text) {
  const std::string first = text.substr(0, text.find_first_of(",\n"));
  return first.empty() ? "MPI" : first;
}

MpiProcessGroup::MpiProcessGroup(int& argc, char**& argv) {
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    // Only the main thread makes MPI calls (the harness and the backends alike).
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    initialized_here_ = true;
  }
  MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  // The ranks that share this host's memory: a device backend picks its device by this local rank.
  MPI_Comm local;
  MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  MPI_Comm_rank(local, &local_rank_);
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);

  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  host_.assign(name, length);
  char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  MPI_Get_library_version(version, &length);

  const auto hosts = all_gather(host_);
  const std::set<std::string> distinct(hosts.begin(), hosts.end());
  description_ = std::to_string(size_) + (size_ == 1 ? " rank" : " ranks") + " on " +
                 std::to_string(distinct.size()) + (distinct.size() == 1 ? " host" : " hosts") + " (" +
                 mpi_library_name(std::string(version, length)) + ")";
}

MpiProcessGroup::~MpiProcessGroup() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  MPI_Comm_free(&comm_);
  if (initialized_here_) MPI_Finalize();
}

void MpiProcessGroup::all_reduce(std::span<double> values, Reduction op) {
  const MPI_Op mpi_op = op == Reduction::sum ? MPI_SUM : op == Reduction::min ? MPI_MIN : MPI_MAX;
  MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, mpi_op, comm_);
}

std::vector<std::string> MpiProcessGroup::all_gather(const std::string& mine) {
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(size_), offsets(size_);
  MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm_);
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    offsets[r] = total;
    total += lengths[r];
  }
  std::string all(total, '\0');
  MPI_Allgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, comm_);
  std::vector<std::string> out;
  for (int r = 0; r < size_; ++r) out.push_back(all.substr(offsets[r], lengths[r]));
  return out;
}

std::string MpiProcessGroup::broadcast(const std::string& text) {
  long long length = rank_ == 0 ? static_cast<long long>(text.size()) : 0;
  MPI_Bcast(&length, 1, MPI_LONG_LONG, 0, comm_);
  std::string out = rank_ == 0 ? text : std::string(static_cast<std::size_t>(length), '\0');
  // Shape tables are small, but MPI counts are int: send in pieces all the same.
  constexpr long long kPiece = 1 << 30;
  for (long long at = 0; at < length; at += kPiece)
    MPI_Bcast(out.data() + at, static_cast<int>(std::min(kPiece, length - at)), MPI_CHAR, 0, comm_);
  return out;
}

void MpiProcessGroup::barrier() { MPI_Barrier(comm_); }

}  // namespace dlbench
