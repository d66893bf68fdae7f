// Accumulates the difference between a result and its float64 reference over the elements that were checked.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace dlbench {

class ErrorMetric {
 public:
  void add(double out, double ref) {
    ++checked_;
    if (!std::isfinite(out)) {
      ++nonfinite_;  // NaN or Inf never passes, whatever its neighbours do
      return;
    }
    const double d = out - ref;
    diff2_ += d * d;
    ref2_ += ref * ref;
    if (std::fabs(d) > max_abs_) max_abs_ = std::fabs(d);
  }

  // ‖out − ref‖₂ / ‖ref‖₂ over the checked elements (absolute when the reference is all zeros); +inf when any
  // output was NaN or infinite.
  double relative_l2() const {
    if (nonfinite_ > 0) return std::numeric_limits<double>::infinity();
    if (ref2_ == 0) return std::sqrt(diff2_);
    return std::sqrt(diff2_ / ref2_);
  }
  double max_abs() const { return max_abs_; }
  std::int64_t checked() const { return checked_; }
  std::int64_t nonfinite() const { return nonfinite_; }

 private:
  double diff2_ = 0, ref2_ = 0, max_abs_ = 0;
  std::int64_t checked_ = 0, nonfinite_ = 0;
};

}  // namespace dlbench
