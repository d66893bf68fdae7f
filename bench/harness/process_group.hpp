// The processes one run spans. gemm_bench and the other single-process binaries run as a group of one;
// allreduce_bench runs as one process per rank under mpirun or srun (bench/mpi), and every decision that shapes
// the run must then be taken identically on every rank, or a rank waits forever inside a collective call
// (MEASURE.md §5). The harness takes those decisions through this interface:
//   - rank 0 finds and reads the shape tables and the others receive its text (on_root), so a table that exists only on
//     the first node still drives every rank;
//   - a case's support, preparation and verification outcomes are agreed (agree_status): the worst outcome of any
//     rank is every rank's, with the reason of the first rank that had it;
//   - every sample's time is the slowest rank's (the collective is done when the last rank is), so the sampler's
//     stopping rule sees the same numbers everywhere;
//   - only rank 0 prints and writes files.
// Every call below is collective: each process must make the same calls in the same order.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dlbench {

enum class Reduction { sum, min, max };

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank and process count among the processes on this host (an MPI shared-memory split): device backends pick
  // their device by local rank.
  virtual int local_rank() const = 0;
  virtual int local_size() const = 0;
  virtual std::string host() const = 0;
  // How the processes were started, e.g. "2 ranks on 1 host (Open MPI v4.1.4)" or "single process".
  virtual std::string describe() const = 0;

  // Element-wise reduction of `values` over all ranks, result on every rank.
  virtual void all_reduce(std::span<double> values, Reduction op) = 0;
  // Every rank's string, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& mine) = 0;
  // Rank 0's string on every rank (`text` is ignored elsewhere).
  virtual std::string broadcast(const std::string& text) = 0;
  virtual void barrier() = 0;

  bool is_root() const { return rank() == 0; }
  double max(double v);
  double sum(double v);
  // True on every rank when `mine` is true on any rank.
  bool any(bool mine);
};

// The group of one process: every collective is the identity.
class SingleProcess final : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  int local_size() const override { return 1; }
  std::string host() const override;
  std::string describe() const override { return "single process"; }
  void all_reduce(std::span<double>, Reduction) override {}
  std::vector<std::string> all_gather(const std::string& mine) override { return {mine}; }
  std::string broadcast(const std::string& text) override { return text; }
  void barrier() override {}
};

// The group this binary was started in: the MPI world when the binary was linked with bench/mpi (allreduce_bench,
// where MPI is found), a SingleProcess otherwise. Initialises MPI, which may consume launcher arguments from argv.
std::unique_ptr<ProcessGroup> make_process_group(int& argc, char**& argv);

// An outcome one rank reached, and the outcome every rank adopts.
struct RankStatus {
  enum Code { ok = 0, skipped = 1, failed = 2 };
  Code code = ok;
  std::string reason;
};

// The agreed outcome of `statuses` (one per rank, in rank order): the worst code, with the reason of the first
// rank that reached it and gave one (a rank that failed only because another did gives none), prefixed "rank R: "
// when the ranks did not all give that same reason.
RankStatus combine_statuses(const std::vector<RankStatus>& statuses);
// combine_statuses over every rank's `mine` (collective).
RankStatus agree_status(ProcessGroup& group, const RankStatus& mine);

// The first rank whose `mine` differs from rank 0's, or -1 when all agree (collective; every rank gets the same
// answer). `rank0_text` and `other_text` receive both texts for the error message.
int first_mismatch(ProcessGroup& group, const std::string& mine, std::string* rank0_text = nullptr,
                   std::string* other_text = nullptr);

// `produce()` run on rank 0 only, its result broadcast (collective). When it throws on rank 0, every rank throws
// too (InputError as InputError, anything else as std::runtime_error): no rank is left waiting for a result that
// will never come.
std::string on_root(ProcessGroup& group, const std::function<std::string()>& produce);

}  // namespace dlbench
