#include "cuda/cuda_timer.hpp"

#include <atomic>
#include <vector>

#include "cuda/cuda_error.hpp"
#include "harness/stats.hpp"

namespace dlbench {

namespace {

// How long the holding kernel waits for the host before letting the sample start anyway. Queuing one sample takes
// microseconds; only a descheduled host thread comes near this, and the sample is then noted, not lost.
constexpr double kHoldTimeoutS = 1.0;
// How long the clock probe counts cycles: %globaltimer ticks in steps of up to 1 µs on some parts, so 50 µs keeps
// the clock reading within 2 %.
constexpr double kProbeSpinS = 50e-6;

}  // namespace

CudaTimer::CudaTimer(cudaStream_t stream, const CudaDeviceInfo& device)
    : stream_(stream), device_(device), flush_(2 * static_cast<std::size_t>(device.l2_bytes)) {
  check_cuda(cudaEventCreate(&start_), "cudaEventCreate");
  check_cuda(cudaEventCreate(&stop_), "cudaEventCreate");
  // Both harness kernels once, unheld (release already set), so that neither is launched for the first time
  // behind a hold: a first launch may load the kernel and wait for an idle device (cuda_kernels.hpp).
  signals_.host()->release = 1;
  launch_hold_stream(signals_.device(), 0, stream_);
  launch_clock_probe(signals_.device(), 0, stream_);
  check_cuda(cudaStreamSynchronize(stream_), "loading the timer's kernels");
}

CudaTimer::~CudaTimer() {
  for (auto& [runs, exec] : graphs_) cudaGraphExecDestroy(exec);
  cudaEventDestroy(start_);
  cudaEventDestroy(stop_);
}

cudaGraphExec_t CudaTimer::graph_for(Operation& op, int runs) {
  auto it = graphs_.find(runs);
  if (it != graphs_.end()) return it->second;
  cudaGraph_t graph = nullptr;
  check_cuda(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  try {
    for (int r = 0; r < runs; ++r) op.run();
  } catch (...) {
    cudaStreamEndCapture(stream_, &graph);
    if (graph) cudaGraphDestroy(graph);
    throw;
  }
  const cudaError_t captured = cudaStreamEndCapture(stream_, &graph);
  if (captured != cudaSuccess)
    throw CudaError(captured, "hot mode records the calls into a CUDA graph, and this operation cannot be "
                              "captured (use --cache=cold)");
  cudaGraphExec_t exec = nullptr;
  const cudaError_t made = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  check_cuda(made, "cudaGraphInstantiate");
  graphs_[runs] = exec;
  // Upload and one untimed replay, so the first timed replay pays no one-time cost.
  check_cuda(cudaGraphUpload(exec, stream_), "cudaGraphUpload");
  check_cuda(cudaGraphLaunch(exec, stream_), "cudaGraphLaunch");
  check_cuda(cudaStreamSynchronize(stream_), "replaying a new graph");
  return exec;
}

SampleTime CudaTimer::time(Operation& op, int runs, CacheMode mode) {
  // Built before the stream is held: capturing needs the stream idle and uncaptured.
  cudaGraphExec_t graph = mode == CacheMode::hot ? graph_for(op, runs) : nullptr;
  // The operation's first call through this timer runs unheld too: it may be the first launch of a library
  // kernel (cuda_kernels.hpp), and a kernel loading behind the hold would stall the sample for the hold's timeout.
  if (!called_) {
    op.before_call();
    op.run();
    check_cuda(cudaStreamSynchronize(stream_), "the operation's first call");
    called_ = true;
  }

  op.before_call();  // enqueued ahead of the hold, so never timed
  StreamSignals* host = signals_.host();
  host->release = 0;
  host->hold_timed_out = 0;
  if (mode == CacheMode::cold && flush_.bytes() > 0)
    check_cuda(cudaMemsetAsync(flush_.get(), samples_ & 0xff, flush_.bytes(), stream_), "flushing L2");
  // From the hold's launch on, whatever happens, release the stream before leaving, or a failing call would leave
  // the holding kernel spinning into the next sample.
  const auto release = [&] {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    host->release = 1;
  };
  try {
    launch_hold_stream(signals_.device(), kHoldTimeoutS, stream_);
    check_cuda(cudaEventRecord(start_, stream_), "cudaEventRecord");
    if (graph) {
      check_cuda(cudaGraphLaunch(graph, stream_), "cudaGraphLaunch");
    } else {
      for (int r = 0; r < runs; ++r) op.run();
    }
    check_cuda(cudaEventRecord(stop_, stream_), "cudaEventRecord");
    launch_clock_probe(signals_.device(), kProbeSpinS, stream_);
  } catch (...) {
    release();
    cudaStreamSynchronize(stream_);
    throw;
  }
  release();
  check_cuda(cudaStreamSynchronize(stream_), "running the sample");

  float ms = 0;
  check_cuda(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
  ++samples_;
  if (host->hold_timed_out) ++hold_timeouts_;
  const double clock_hz = host->probe_ns > 0 ? static_cast<double>(host->probe_cycles) / host->probe_ns * 1e9 : 0;
  return {ms * 1e-3, clock_hz};
}

std::string CudaTimer::notes() const {
  if (hold_timeouts_ == 0) return "";
  return std::to_string(hold_timeouts_) + " of " + std::to_string(samples_) +
         " timed calls (warm-up included) started before all their launches were queued (host stalled over 1 s): "
         "their times may include launch latency";
}

std::unique_ptr<Timer> make_cuda_timer(cudaStream_t stream, int device) {
  const CudaDevice& d = cuda_device(device);
  if (!d.availability.available) throw std::runtime_error(d.availability.reason);
  check_cuda(cudaSetDevice(device), "cudaSetDevice");
  return std::make_unique<CudaTimer>(stream, d.info);
}

double median_cold_seconds(Operation& op, Timer& timer, cudaStream_t stream, int samples) {
  op.before_call();
  op.run();
  check_cuda(cudaStreamSynchronize(stream), "a candidate's first call");
  timer.time(op, 1, CacheMode::cold);  // warm-up
  std::vector<double> seconds;
  for (int s = 0; s < samples; ++s) seconds.push_back(timer.time(op, 1, CacheMode::cold).seconds);
  return summarize(std::move(seconds)).median;
}

}  // namespace dlbench
