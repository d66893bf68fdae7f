// Progress on stderr for long runs: which case of how many, time elapsed, and an estimate of the time left.
#pragma once

#include <chrono>
#include <string>

namespace dlbench {

class Progress {
 public:
  explicit Progress(int total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  // Announces case `index` (1-based) by name, before it runs.
  void begin(int index, const std::string& name);
  static std::string format_duration(double seconds);  // "1:05", "1:02:03"

 private:
  int total_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace dlbench
