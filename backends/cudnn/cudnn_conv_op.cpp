#include "cudnn_conv_op.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/element_codec.hpp"
#include "cuda/cuda_error.hpp"
#include "cuda/cuda_kernels.hpp"
#include "cuda/cuda_timer.hpp"
#include "harness/case.hpp"

namespace dlbench::cudnn {

namespace {

// cuDNN's own account of the last failure on this thread, or empty.
std::string last_error_detail() {
  char text[512] = {};
  cudnnGetLastErrorString(text, sizeof text);
  return text;
}

// For calls that set the problem up or ask about algorithms: "not supported" there is a property of the problem
// (the case is skipped with cuDNN's reason); any other failure is an error (the case fails).
void query(cudnnStatus_t status, const char* what) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  const std::string detail = last_error_detail();
  const std::string where = std::string(what) + (detail.empty() ? "" : " (" + detail + ")");
  if (is_not_supported(status)) throw Unsupported(where + ": " + cudnnGetErrorString(status));
  throw Error(status, where);
}

std::unique_ptr<ConvDescriptors> make_descriptors(const ConvPlan& plan) {
  try {
    return std::make_unique<ConvDescriptors>(plan);
  } catch (const Error& e) {
    if (is_not_supported(e.status())) throw Unsupported(e.what());
    throw;
  }
}

// cuDNN fills at most `slots` perf results and says how many it returned.
template <class Perf>
std::vector<AlgoCandidate> candidates_of(const std::vector<Perf>& perf, int returned) {
  std::vector<AlgoCandidate> out;
  const auto n = static_cast<std::size_t>(std::clamp(returned, 0, static_cast<int>(perf.size())));
  for (std::size_t i = 0; i < n; ++i) out.push_back(candidate_of(perf[i]));
  return out;
}

std::size_t slots(int max_count) { return static_cast<std::size_t>(std::max(max_count, 1)); }

}  // namespace

ConvCall::ConvCall(const Context& context, const ConvProblem& problem, std::size_t workspace_limit)
    : handle_(context.handle()), stream_(context.stream()), device_(context.device_index()),
      cc_(context.info().compute_capability()), problem_(problem), plan_(plan_conv(problem)),
      descriptors_(make_descriptors(plan_)), workspace_limit_(workspace_limit) {
  // cuDNN's own idea of the output size must be ConvProblem's, or every index of dst would be off.
  int n = 0, k = 0, p = 0, q = 0;
  query(cudnnGetConvolution2dForwardOutputDim(descriptors_->conv.get(), descriptors_->x.get(),
                                              descriptors_->w.get(), &n, &k, &p, &q),
        "cudnnGetConvolution2dForwardOutputDim");
  if (n != problem.n || k != problem.k || p != problem.p() || q != problem.q())
    throw std::logic_error("cuDNN computes an output of " + std::to_string(n) + "x" + std::to_string(k) + "x" +
                           std::to_string(p) + "x" + std::to_string(q) + " for " + problem.to_string() +
                           ", ConvProblem one of " + std::to_string(problem.p()) + "x" + std::to_string(problem.q()));
  // The direction's output is in the output type, its inputs in the input type (conv_problem.hpp).
  const auto& t = problem.types();
  const ConvDirection dir = problem.direction;
  src_.type = dir == ConvDirection::bwd_data ? t.output : t.input;
  weights_.type = dir == ConvDirection::bwd_filter ? t.output : t.input;
  dst_.type = dir == ConvDirection::fwd ? t.output : t.input;
  src_.count = static_cast<std::size_t>(problem.src_elements());
  weights_.count = static_cast<std::size_t>(problem.weight_elements());
  dst_.count = static_cast<std::size_t>(problem.dst_elements());
}

void ConvCall::load(const ConvTensors& tensors) {
  const auto copy_in = [&](Tensor& dev, const HostBuffer& host, const char* name) {
    if (host.type() != dev.type || host.count() != dev.count)
      throw std::logic_error(std::string("cuDNN convolution: the ") + name + " buffer holds " +
                             std::to_string(host.count()) + " " + std::string(to_string(host.type())) + ", " +
                             problem_.to_string() + " needs " + std::to_string(dev.count) + " " +
                             std::string(to_string(dev.type)));
    dev.memory = DeviceBuffer(host.bytes());
    check_cuda(cudaMemcpyAsync(dev.memory.get(), host.data(), host.bytes(), cudaMemcpyHostToDevice, stream_),
               "copying a tensor to the device");
  };
  // All three: the direction's two inputs and its output, which holds poison (beta = 0 overwrites it, so an
  // element the kernel never writes stays poison and fails verification).
  copy_in(src_, tensors.src, "src");
  copy_in(weights_, tensors.weights, "weights");
  copy_in(dst_, tensors.dst, "dst");
  check_cuda(cudaStreamSynchronize(stream_), "copying the tensors to the device");
}

ConvCall::Tensor& ConvCall::output() {
  switch (problem_.direction) {
    case ConvDirection::fwd: return dst_;
    case ConvDirection::bwd_data: return src_;
    case ConvDirection::bwd_filter: return weights_;
  }
  throw std::logic_error("unknown convolution direction");
}

void ConvCall::poison_output() {
  Tensor& out = output();
  fill_bits_on_device(out.memory.get(), out.type, out.count, codec::poison_element(out.type), stream_);
  check_cuda(cudaStreamSynchronize(stream_), "poisoning the output");
}

std::vector<AlgoCandidate> ConvCall::heuristic_candidates() {
  const ConvDescriptors& d = *descriptors_;
  int max_count = 0, returned = 0;
  switch (problem_.direction) {
    case ConvDirection::fwd: {
      query(cudnnGetConvolutionForwardAlgorithmMaxCount(handle_, &max_count),
            "cudnnGetConvolutionForwardAlgorithmMaxCount");
      std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(slots(max_count));
      query(cudnnGetConvolutionForwardAlgorithm_v7(handle_, d.x.get(), d.w.get(), d.conv.get(), d.y.get(),
                                                   static_cast<int>(perf.size()), &returned, perf.data()),
            "cudnnGetConvolutionForwardAlgorithm_v7");
      return candidates_of(perf, returned);
    }
    case ConvDirection::bwd_data: {
      query(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle_, &max_count),
            "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
      std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(slots(max_count));
      query(cudnnGetConvolutionBackwardDataAlgorithm_v7(handle_, d.w.get(), d.y.get(), d.conv.get(), d.x.get(),
                                                        static_cast<int>(perf.size()), &returned, perf.data()),
            "cudnnGetConvolutionBackwardDataAlgorithm_v7");
      return candidates_of(perf, returned);
    }
    case ConvDirection::bwd_filter: {
      query(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(handle_, &max_count),
            "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount");
      std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(slots(max_count));
      query(cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle_, d.x.get(), d.y.get(), d.conv.get(), d.w.get(),
                                                          static_cast<int>(perf.size()), &returned, perf.data()),
            "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
      return candidates_of(perf, returned);
    }
  }
  return {};
}

std::vector<AlgoCandidate> ConvCall::find_candidates() {
  const ConvDescriptors& d = *descriptors_;
  void* x = src_.memory.get();
  void* w = weights_.memory.get();
  void* y = dst_.memory.get();
  void* ws = workspace_.get();
  const std::size_t ws_bytes = workspace_.bytes();
  int max_count = 0, returned = 0;
  switch (problem_.direction) {
    case ConvDirection::fwd: {
      query(cudnnGetConvolutionForwardAlgorithmMaxCount(handle_, &max_count),
            "cudnnGetConvolutionForwardAlgorithmMaxCount");
      std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(slots(max_count));
      query(cudnnFindConvolutionForwardAlgorithmEx(handle_, d.x.get(), x, d.w.get(), w, d.conv.get(), d.y.get(), y,
                                                   static_cast<int>(perf.size()), &returned, perf.data(), ws,
                                                   ws_bytes),
            "cudnnFindConvolutionForwardAlgorithmEx");
      return candidates_of(perf, returned);
    }
    case ConvDirection::bwd_data: {
      query(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle_, &max_count),
            "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
      std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(slots(max_count));
      query(cudnnFindConvolutionBackwardDataAlgorithmEx(handle_, d.w.get(), w, d.y.get(), y, d.conv.get(), d.x.get(),
                                                        x, static_cast<int>(perf.size()), &returned, perf.data(), ws,
                                                        ws_bytes),
            "cudnnFindConvolutionBackwardDataAlgorithmEx");
      return candidates_of(perf, returned);
    }
    case ConvDirection::bwd_filter: {
      query(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(handle_, &max_count),
            "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount");
      std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(slots(max_count));
      query(cudnnFindConvolutionBackwardFilterAlgorithmEx(handle_, d.x.get(), x, d.y.get(), y, d.conv.get(),
                                                          d.w.get(), w, static_cast<int>(perf.size()), &returned,
                                                          perf.data(), ws, ws_bytes),
            "cudnnFindConvolutionBackwardFilterAlgorithmEx");
      return candidates_of(perf, returned);
    }
  }
  return {};
}

std::pair<cudnnStatus_t, std::size_t> ConvCall::workspace_for(int algo) const {
  const ConvDescriptors& d = *descriptors_;
  std::size_t bytes = 0;
  cudnnStatus_t status = CUDNN_STATUS_SUCCESS;
  switch (problem_.direction) {
    case ConvDirection::fwd:
      status = cudnnGetConvolutionForwardWorkspaceSize(handle_, d.x.get(), d.w.get(), d.conv.get(), d.y.get(),
                                                       static_cast<cudnnConvolutionFwdAlgo_t>(algo), &bytes);
      break;
    case ConvDirection::bwd_data:
      status = cudnnGetConvolutionBackwardDataWorkspaceSize(handle_, d.w.get(), d.y.get(), d.conv.get(), d.x.get(),
                                                            static_cast<cudnnConvolutionBwdDataAlgo_t>(algo), &bytes);
      break;
    case ConvDirection::bwd_filter:
      status = cudnnGetConvolutionBackwardFilterWorkspaceSize(handle_, d.x.get(), d.y.get(), d.conv.get(), d.w.get(),
                                                              static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo),
                                                              &bytes);
      break;
  }
  return {status, bytes};
}

void ConvCall::take_first_usable(const std::vector<AlgoCandidate>& found, bool found_by_timing) {
  const std::string source = found_by_timing ? "cuDNN's Find" : "cuDNN's heuristic";
  if (found.empty()) throw Unsupported(source + " returned no algorithm for this problem");
  const Precision precision = problem_.precision;
  std::size_t usable = 0;
  for (const auto& c : found) usable += !candidate_rejection(c, precision, cc_, workspace_limit_);
  std::string passed_over;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const AlgoCandidate& c = found[i];
    std::optional<std::string> why = candidate_rejection(c, precision, cc_, workspace_limit_);
    if (!why) {
      // cuDNN expects the call to be made with the algorithm's own math type on the descriptor; the workspace is
      // asked again under it, since the size may depend on the math type.
      set_math(descriptors_->conv, c.math);
      const auto [status, bytes] = workspace_for(c.algo);
      if (status != CUDNN_STATUS_SUCCESS) {
        why = std::string("workspace query: ") + cudnnGetErrorString(status);
      } else if (bytes > workspace_limit_) {
        why = "workspace " + mib_string(bytes) + " over the " + mib_string(workspace_limit_) + " limit";
      } else {
        chosen_ = c;
        workspace_used_ = bytes;
        algorithm_ = describe(problem_.direction, c) + ", " +
                     (found_by_timing ? "fastest of " + std::to_string(usable) + " found"
                                      : "heuristic #" + std::to_string(i + 1));
        return;
      }
    }
    passed_over += (passed_over.empty() ? "" : "; ") + describe(problem_.direction, c) + ": " + *why;
  }
  throw Unsupported("none of the " + std::to_string(found.size()) + " algorithms " + source +
                    " offered is usable (" + passed_over + ")");
}

void ConvCall::choose_by_heuristic() {
  take_first_usable(heuristic_candidates(), false);
  workspace_ = DeviceBuffer(workspace_used_);
}

void ConvCall::choose_by_timing(int top) {
  // The whole limit, allocated once: Find times each algorithm with the workspace it is given, and so do we.
  workspace_ = DeviceBuffer(workspace_limit_);
  std::vector<AlgoCandidate> all = find_candidates();
  for (const AlgoCandidate& h : heuristic_candidates()) {
    const bool listed = std::any_of(all.begin(), all.end(),
                                    [&](const AlgoCandidate& c) { return c.algo == h.algo && c.math == h.math; });
    if (!listed) all.push_back(h);
  }
  struct Usable {
    AlgoCandidate candidate;
    std::size_t workspace;
  };
  std::vector<Usable> usable;
  for (const AlgoCandidate& c : all) {
    if (static_cast<int>(usable.size()) >= top) break;
    if (candidate_rejection(c, problem_.precision, cc_, workspace_limit_)) continue;
    set_math(descriptors_->conv, c.math);
    const auto [status, bytes] = workspace_for(c.algo);
    if (status == CUDNN_STATUS_SUCCESS && bytes <= workspace_limit_) usable.push_back({c, bytes});
  }
  if (usable.empty()) {
    take_first_usable(all, true);  // throws Unsupported, saying why each was passed over
    return;
  }

  const std::unique_ptr<Timer> timer = make_timer();
  double best = INFINITY;
  std::size_t best_index = 0;
  for (std::size_t i = 0; i < usable.size(); ++i) {
    set_math(descriptors_->conv, usable[i].candidate.math);
    chosen_ = usable[i].candidate;
    workspace_used_ = usable[i].workspace;
    try {
      const double t = median_cold_seconds(*this, *timer, stream_);
      if (t < best) {
        best = t;
        best_index = i;
      }
    } catch (const std::exception&) {
      cudaGetLastError();  // a candidate that fails to run is passed over; the next one starts clean
    }
  }
  if (!std::isfinite(best))
    throw std::runtime_error("none of the " + std::to_string(usable.size()) + " usable cuDNN algorithms ran");
  const Usable& win = usable[best_index];
  set_math(descriptors_->conv, win.candidate.math);
  chosen_ = win.candidate;
  workspace_used_ = win.workspace;
  algorithm_ = describe(problem_.direction, win.candidate) + ", fastest of " + std::to_string(usable.size()) +
               " timed";
  poison_output();
}


void ConvCall::run() {
  // alpha = 1, beta = 0, as floats: every precision this backend runs computes in float (cuDNN takes float
  // scalars for every compute type but double).
  static const float one = 1.0f, zero = 0.0f;
  const ConvDescriptors& d = *descriptors_;
  void* ws = workspace_used_ > 0 ? workspace_.get() : nullptr;
  switch (problem_.direction) {
    case ConvDirection::fwd:
      check(cudnnConvolutionForward(handle_, &one, d.x.get(), src_.memory.get(), d.w.get(), weights_.memory.get(),
                                    d.conv.get(), static_cast<cudnnConvolutionFwdAlgo_t>(chosen_.algo), ws,
                                    workspace_used_, &zero, d.y.get(), dst_.memory.get()),
            "cudnnConvolutionForward");
      break;
    case ConvDirection::bwd_data:
      check(cudnnConvolutionBackwardData(handle_, &one, d.w.get(), weights_.memory.get(), d.y.get(),
                                         dst_.memory.get(), d.conv.get(),
                                         static_cast<cudnnConvolutionBwdDataAlgo_t>(chosen_.algo), ws,
                                         workspace_used_, &zero, d.x.get(), src_.memory.get()),
            "cudnnConvolutionBackwardData");
      break;
    case ConvDirection::bwd_filter:
      check(cudnnConvolutionBackwardFilter(handle_, &one, d.x.get(), src_.memory.get(), d.y.get(),
                                           dst_.memory.get(), d.conv.get(),
                                           static_cast<cudnnConvolutionBwdFilterAlgo_t>(chosen_.algo), ws,
                                           workspace_used_, &zero, d.w.get(), weights_.memory.get()),
            "cudnnConvolutionBackwardFilter");
      break;
  }
}

std::unique_ptr<Timer> ConvCall::make_timer() { return make_cuda_timer(stream_, device_); }

void ConvCall::read_output(HostBuffer& out) {
  Tensor& o = output();
  if (out.type() != o.type || out.count() != o.count)
    throw std::logic_error("cuDNN convolution: the output buffer holds " + std::to_string(out.count()) + " " +
                           std::string(to_string(out.type())) + ", the output has " + std::to_string(o.count) +
                           " " + std::string(to_string(o.type)));
  check_cuda(cudaMemcpyAsync(out.data(), o.memory.get(), out.bytes(), cudaMemcpyDeviceToHost, stream_),
             "copying the output back");
  check_cuda(cudaStreamSynchronize(stream_), "copying the output back");
}

std::string ConvCall::implementation() const {
  return algorithm_ + ", " + determinism_name(chosen_.determinism);
}

}  // namespace dlbench::cudnn
