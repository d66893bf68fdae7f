// What a backend hands the harness to be timed: one prepared kernel call, and the timer that knows how to time it.
//
// A backend knows how to set up a call and run it once; the harness owns everything about timing it (warm-up,
// sample sizes, cache state, stopping rule, statistics), which is what keeps figures comparable across backends.
// CPU backends use the host timer below; device backends take theirs from the harness's device engine
// (bench/cuda for CUDA), never write their own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dlbench {

class Operation;

// The cache state a sample starts from (MEASURE.md §1, as nvbench).
//   cold: the caches the call reads are flushed before each sample, and a sample is one call. Honest for large
//         operands, and what a call inside a model that touches other data in between sees.
//   hot:  a sample is a batch of back-to-back calls, so the operands stay in cache. Best-case throughput; keeps
//         launch gaps out of small device kernels.
enum class CacheMode { cold, hot };
std::string_view to_string(CacheMode mode);
std::optional<CacheMode> parse_cache_mode(std::string_view text);

// What one sample measured.
struct SampleTime {
  double seconds = 0;   // all the sample's calls together
  double clock_hz = 0;  // the device's clock measured at the sample; 0 when the timer cannot measure it
};

class Timer {
 public:
  virtual ~Timer() = default;
  // Times `runs` back-to-back calls of op.run() and returns when they have finished. In cold mode the sampler
  // passes runs = 1 and the timer flushes caches first, outside the timed region.
  virtual SampleTime time(Operation& op, int runs, CacheMode mode) = 0;
  // The mode used when the user does not choose one: cold on devices (nvbench's default), hot on the CPU, where a
  // sample repeats a call to last milliseconds anyway.
  virtual CacheMode default_mode() const { return CacheMode::hot; }
  // Most calls one hot sample may hold (a device timer may record them into one graph).
  virtual int max_runs_per_sample() const { return 1 << 30; }
  // Size of the last-level cache the cold mode flushes; 0 if unknown. Rows whose operands fit in it are marked.
  virtual double cache_bytes() const { return 0; }
  // The rated clock against which throttling is judged; 0 when the timer does not measure clocks.
  virtual double rated_clock_hz() const { return 0; }
  // Anything the timer saw that a reader of the row must know (e.g. launches it could not hide); empty if none.
  virtual std::string notes() const { return {}; }
};

// steady_clock around the calls. Cold mode writes a buffer larger than the last-level cache first.
class HostTimer final : public Timer {
 public:
  SampleTime time(Operation& op, int runs, CacheMode mode) override;
  double cache_bytes() const override;
};

class Operation {
 public:
  virtual ~Operation() = default;
  // One call of the kernel. CPU backends return when it has finished; device backends may only enqueue it.
  virtual void run() = 0;
  // Puts back what a call consumes, so that the next call computes what the verified one did: cuDNN's RNN backward,
  // for one, rewrites the reserve space of the forward pass that it reads. Timers call it before each sample's
  // first call, outside the timed region: in cold mode (one call per sample) every timed call is the real
  // computation; in hot mode a sample's later calls run on what the call before left, the same kernels and work
  // on other values. Nothing to put back by default.
  virtual void before_call() {}
  // The timer for this operation's runs: the host timer unless the backend's work is asynchronous.
  virtual std::unique_ptr<Timer> make_timer() { return std::make_unique<HostTimer>(); }
};

}  // namespace dlbench
