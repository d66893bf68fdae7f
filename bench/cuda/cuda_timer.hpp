// The GPU measurement engine every CUDA backend shares (MEASURE.md §1, after nvbench). A backend's operation
// enqueues its call on a stream; this timer decides how samples are taken:
//   - CUDA events around the sample on that stream, never a host clock around asynchronous work;
//   - every launch of a sample queued behind a kernel that holds the stream until the host has finished queuing,
//     so host launch latency never falls between the events;
//   - cold (default): L2 flushed (a memset of twice its size) before each sample, one call per event pair;
//   - hot: the sample's calls recorded once into a CUDA graph, replayed per event pair;
//   - after each sample, outside the events, a probe measures the SM clock (clock64 over %globaltimer), so the
//     sampler can flag throttling against the rated clock.
#pragma once

#include <cuda_runtime_api.h>

#include <map>
#include <memory>

#include "cuda/cuda_device.hpp"
#include "cuda/cuda_kernels.hpp"
#include "cuda/device_buffer.hpp"
#include "harness/operation.hpp"

namespace dlbench {

class CudaTimer final : public Timer {
 public:
  // `stream` is the one the operation enqueues on; `device` the device it runs on (current when timing).
  CudaTimer(cudaStream_t stream, const CudaDeviceInfo& device);
  ~CudaTimer() override;

  SampleTime time(Operation& op, int runs, CacheMode mode) override;
  CacheMode default_mode() const override { return CacheMode::cold; }
  // A graph of more calls than this takes long to instantiate and gains nothing: 1000 calls of even a 2 µs
  // kernel already fill a 2 ms sample.
  int max_runs_per_sample() const override { return 1000; }
  double cache_bytes() const override { return device_.l2_bytes; }
  double rated_clock_hz() const override { return device_.rated_sm_clock_hz; }
  std::string notes() const override;

 private:
  cudaGraphExec_t graph_for(Operation& op, int runs);

  cudaStream_t stream_;
  CudaDeviceInfo device_;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  DeviceBuffer flush_;
  MappedHost<StreamSignals> signals_;
  std::map<int, cudaGraphExec_t> graphs_;
  bool called_ = false;
  int hold_timeouts_ = 0;
  int samples_ = 0;
};

// What a CUDA backend's Operation::make_timer() returns.
std::unique_ptr<Timer> make_cuda_timer(cudaStream_t stream, int device);

// How a backend's autotuner times one candidate: the median of `samples` cold calls of `op` (enqueued on
// `stream`), after an untimed first call and a warm-up sample. The first call runs outside the timer because it may
// load a kernel no call has used yet (lazy module loading), which must neither happen behind the timer's stream
// hold (cuda_kernels.hpp) nor count in the candidate's time.
double median_cold_seconds(Operation& op, Timer& timer, cudaStream_t stream, int samples = 5);

}  // namespace dlbench
