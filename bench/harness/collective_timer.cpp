#include "harness/collective_timer.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace dlbench {

SampleTime CollectiveTimer::time(Operation& op, int runs, CacheMode mode) {
  group_.barrier();
  // A rank whose timer throws still takes part in the reduction below, so that every rank learns of the failure
  // and leaves the case together instead of waiting for it at the next sample's barrier.
  SampleTime mine;
  std::string error;
  try {
    mine = inner_->time(op, runs, mode);
  } catch (const std::exception& e) {
    error = e.what();
  }
  own_per_run_.push_back(mine.seconds / runs);
  // One reduction for all three: the largest time, the lowest clock among the ranks that measured one (negated),
  // and whether any rank failed.
  std::array<double, 3> v{mine.seconds, mine.clock_hz > 0 ? -mine.clock_hz : -1e300, error.empty() ? 0.0 : 1.0};
  group_.all_reduce(v, Reduction::max);
  if (!error.empty()) throw std::runtime_error(error);
  if (v[2] > 0) throw PeerFailure("another rank failed while timing this case");
  return {v[0], v[1] > -1e300 ? -v[1] : 0};
}

}  // namespace dlbench
