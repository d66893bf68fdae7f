// Timing an operation that every rank of a process group runs together (a collective), MEASURE.md §5.
//
// Each sample starts with a barrier, outside the timed region, so that a sample measures the collective rather
// than how late the ranks arrive at it (nccl-tests and OSU do the same). Every rank then times the sample with the
// operation's own timer (the host clock, or device events), and the sample's time is the slowest rank's: the
// collective is done when the last rank is, and since every rank sees the same figure the sampler's stopping rule
// takes the same decision everywhere, so no rank is left inside a collective call that the others have stopped
// making. Each rank's own times are kept too, for the spread across ranks that a row reports.
#pragma once

#include <memory>
#include <stdexcept>
#include <vector>

#include "harness/operation.hpp"
#include "harness/process_group.hpp"

namespace dlbench {

// Thrown on the ranks whose own timing succeeded when another rank's failed; that rank reports why.
class PeerFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CollectiveTimer final : public Timer {
 public:
  CollectiveTimer(std::unique_ptr<Timer> inner, ProcessGroup& group) : inner_(std::move(inner)), group_(group) {}

  // The slowest rank's time and the slowest rank's clock (the lowest measured, so throttling on any rank shows).
  SampleTime time(Operation& op, int runs, CacheMode mode) override;
  CacheMode default_mode() const override { return inner_->default_mode(); }
  int max_runs_per_sample() const override { return inner_->max_runs_per_sample(); }
  double cache_bytes() const override { return inner_->cache_bytes(); }
  double rated_clock_hz() const override { return inner_->rated_clock_hz(); }
  std::string notes() const override { return inner_->notes(); }

  // This rank's own seconds per call, one entry per sample since the last clear_own().
  const std::vector<double>& own_per_run() const { return own_per_run_; }
  void clear_own() { own_per_run_.clear(); }

 private:
  std::unique_ptr<Timer> inner_;
  ProcessGroup& group_;
  std::vector<double> own_per_run_;
};

}  // namespace dlbench
