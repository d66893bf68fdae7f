// What a backend hands the harness to be timed: one prepared kernel call, and the clock that times it.
//
// A backend knows how to set up a call and run it once; the harness owns everything about timing it (warm-up,
// sample sizes, stopping rule, statistics), which is what keeps figures comparable across backends.
#pragma once

#include <chrono>
#include <memory>

namespace dlbench {

// Measures the wall time of the work issued between start() and stop(). A device backend supplies one built on
// device events; stop() returns only when that work has finished.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void start() = 0;
  virtual double stop() = 0;  // seconds
};

class HostTimer final : public Timer {
 public:
  void start() override { t0_ = std::chrono::steady_clock::now(); }
  double stop() override { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }

 private:
  std::chrono::steady_clock::time_point t0_;
};

class Operation {
 public:
  virtual ~Operation() = default;
  // One call of the kernel. CPU backends return when it has finished; device backends may only enqueue it.
  virtual void run() = 0;
  // The clock for this operation's runs; host steady_clock unless the backend's work is asynchronous.
  virtual std::unique_ptr<Timer> make_timer() { return std::make_unique<HostTimer>(); }
};

}  // namespace dlbench
