// The cuBLAS backend for GEMM, through cuBLASLt: every suite precision the device supports, any transposes,
// strided batch, alpha/beta in the compute type. The algorithm is cuBLASLt's first heuristic choice, or with
// --autotune=N the fastest of its top N on the case. Timing is the harness's CUDA engine (bench/cuda); this file
// only sets the call up and runs it.
#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/element_codec.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_kernels.hpp"
#include "cuda/cuda_timer.hpp"
#include "cuda/device_buffer.hpp"
#include "gemm/gemm_backend.hpp"
#include "harness/case.hpp"
#include "lt_algo.hpp"
#include "lt_plan.hpp"

namespace dlbench {

namespace {

class LtError : public std::runtime_error {
 public:
  LtError(cublasStatus_t status, const std::string& what)
      : std::runtime_error(what + ": " + cublasLtGetStatusName(status) + " (" + cublasLtGetStatusString(status) + ")"),
        status_(status) {}
  cublasStatus_t status() const { return status_; }

 private:
  cublasStatus_t status_;
};

void check_lt(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) throw LtError(status, what);
}

template <class T, cublasStatus_t (*Destroy)(T)>
struct LtHandle {
  T handle = nullptr;
  LtHandle() = default;
  LtHandle(const LtHandle&) = delete;
  LtHandle& operator=(const LtHandle&) = delete;
  ~LtHandle() {
    if (handle) Destroy(handle);
  }
};
using MatmulDesc = LtHandle<cublasLtMatmulDesc_t, cublasLtMatmulDescDestroy>;
using Layout = LtHandle<cublasLtMatrixLayout_t, cublasLtMatrixLayoutDestroy>;
using Preference = LtHandle<cublasLtMatmulPreference_t, cublasLtMatmulPreferenceDestroy>;

void make_layout(Layout& layout, const LtMatrix& m, std::int32_t batch) {
  check_lt(cublasLtMatrixLayoutCreate(&layout.handle, m.type, m.rows, m.cols, m.ld), "cublasLtMatrixLayoutCreate");
  if (batch > 1) {
    check_lt(cublasLtMatrixLayoutSetAttribute(layout.handle, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof batch),
             "setting the batch count");
    check_lt(cublasLtMatrixLayoutSetAttribute(layout.handle, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                                              &m.batch_stride, sizeof m.batch_stride),
             "setting the batch stride");
  }
}

// alpha and beta in the plan's scale type: float, or int32 for int8 (whose problems have integer scalars).
struct Scalars {
  float f[2] = {0, 0};
  std::int32_t i[2] = {0, 0};
  bool integer = false;
  Scalars(const GemmProblem& p, cudaDataType_t scale) : integer(scale == CUDA_R_32I) {
    f[0] = static_cast<float>(p.alpha);
    f[1] = static_cast<float>(p.beta);
    i[0] = static_cast<std::int32_t>(std::nearbyint(p.alpha));
    i[1] = static_cast<std::int32_t>(std::nearbyint(p.beta));
  }
  const void* alpha() const { return integer ? static_cast<const void*>(&i[0]) : &f[0]; }
  const void* beta() const { return integer ? static_cast<const void*>(&i[1]) : &f[1]; }
};

// One prepared cuBLASLt call: descriptors, device operands, workspace and the chosen algorithm.
class LtGemmOperation final : public GemmOperation {
 public:
  LtGemmOperation(cublasLtHandle_t handle, cudaStream_t stream, int device, const GemmProblem& p,
                  std::size_t workspace_bytes)
      : handle_(handle), stream_(stream), device_(device), problem_(p), plan_(plan_lt_gemm(p)),
        scalars_(p, plan_.scale_type) {
    check_lt(cublasLtMatmulDescCreate(&desc_.handle, plan_.compute, plan_.scale_type), "cublasLtMatmulDescCreate");
    check_lt(cublasLtMatmulDescSetAttribute(desc_.handle, CUBLASLT_MATMUL_DESC_TRANSA, &plan_.op_a, sizeof plan_.op_a),
             "setting TRANSA");
    check_lt(cublasLtMatmulDescSetAttribute(desc_.handle, CUBLASLT_MATMUL_DESC_TRANSB, &plan_.op_b, sizeof plan_.op_b),
             "setting TRANSB");
    make_layout(a_layout_, plan_.a, plan_.batch);
    make_layout(b_layout_, plan_.b, plan_.batch);
    make_layout(c_layout_, plan_.c, plan_.batch);
    make_layout(d_layout_, plan_.d, plan_.batch);
    workspace_ = DeviceBuffer(workspace_bytes);
  }

  // Allocates the operands and fills them: on the device from the case's seeds when it gave them (the same bits
  // as the host's copies, element_codec.hpp), else copied from the host buffers.
  void load_operands(const GemmOperands& in) {
    const auto& t = problem_.types();
    a_ = DeviceBuffer(in.a.bytes());
    b_ = DeviceBuffer(in.b.bytes());
    d_ = DeviceBuffer(problem_.c_elements() * size_of(t.output));
    // With beta = 0 cuBLASLt does not read C: D doubles as C, so repeated calls see identical inputs either way.
    if (problem_.beta != 0) c_ = DeviceBuffer(d_.bytes());
    void* c = problem_.beta != 0 ? c_.get() : nullptr;
    if (in.seeds.generated) {
      fill_random_on_device(a_.get(), t.input, in.a.count(), in.seeds.a, stream_);
      fill_random_on_device(b_.get(), t.input, in.b.count(), in.seeds.b, stream_);
      if (c) fill_random_on_device(c, t.output, in.c.count(), in.seeds.c, stream_);
    } else {
      copy_in(a_.get(), in.a);
      copy_in(b_.get(), in.b);
      if (c) copy_in(c, in.c);
    }
    poison_output();
  }

  // D becomes poison so that an element the kernel never writes fails verification: before the first call, and
  // again after autotuning, whose candidates all wrote D.
  void poison_output() {
    const auto& t = problem_.types();
    fill_bits_on_device(d_.get(), t.output, problem_.c_elements(), codec::poison_element(t.output), stream_);
    check_cuda(cudaStreamSynchronize(stream_), "poisoning D");
  }

  // cuBLASLt's candidates for this call, best first by its heuristic.
  std::vector<cublasLtMatmulHeuristicResult_t> candidates(int wanted) {
    Preference pref;
    check_lt(cublasLtMatmulPreferenceCreate(&pref.handle), "cublasLtMatmulPreferenceCreate");
    const std::uint64_t ws = workspace_.bytes();
    check_lt(cublasLtMatmulPreferenceSetAttribute(pref.handle, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
             "setting the workspace limit");
    std::vector<cublasLtMatmulHeuristicResult_t> results(static_cast<std::size_t>(std::max(1, wanted)));
    int returned = 0;
    const cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(
        handle_, desc_.handle, a_layout_.handle, b_layout_.handle, c_layout_.handle, d_layout_.handle, pref.handle,
        static_cast<int>(results.size()), results.data(), &returned);
    if (status != CUBLAS_STATUS_SUCCESS || returned == 0)
      throw Unsupported("cuBLASLt has no algorithm for this problem on this device (" +
                        std::string(cublasLtGetStatusName(status)) + (returned == 0 ? ", none returned)" : ")"));
    results.resize(static_cast<std::size_t>(returned));
    std::erase_if(results, [](const auto& r) { return r.state != CUBLAS_STATUS_SUCCESS; });
    if (results.empty()) throw Unsupported("cuBLASLt returned no usable algorithm for this problem");
    return results;
  }

  void use(const cublasLtMatmulAlgo_t& algo, std::string how) {
    algo_ = algo;
    implementation_ = describe_lt_algo(algo) + " (" + how + ")";
  }

  void run() override {
    const void* c = problem_.beta != 0 ? c_.get() : d_.get();
    check_lt(cublasLtMatmul(handle_, desc_.handle, scalars_.alpha(), a_operand(), a_layout_.handle, b_operand(),
                            b_layout_.handle, scalars_.beta(), c, c_layout_.handle, d_.get(), d_layout_.handle, &algo_,
                            workspace_.get(), workspace_.bytes(), stream_),
             "cublasLtMatmul");
  }

  std::unique_ptr<Timer> make_timer() override { return make_cuda_timer(stream_, device_); }

  void read_output(HostBuffer& d) override {
    check_cuda(cudaMemcpyAsync(d.data(), d_.get(), d.bytes(), cudaMemcpyDeviceToHost, stream_), "copying D back");
    check_cuda(cudaStreamSynchronize(stream_), "copying D back");
  }

  std::string implementation() const override { return implementation_; }

 private:
  // cuBLASLt's A is our B and its B our A (lt_plan.hpp).
  const void* a_operand() const { return b_.get(); }
  const void* b_operand() const { return a_.get(); }

  void copy_in(void* dst, const HostBuffer& src) {
    check_cuda(cudaMemcpyAsync(dst, src.data(), src.bytes(), cudaMemcpyHostToDevice, stream_), "copying an operand in");
  }

  cublasLtHandle_t handle_;
  cudaStream_t stream_;
  int device_;
  GemmProblem problem_;
  LtPlan plan_;
  Scalars scalars_;
  MatmulDesc desc_;
  Layout a_layout_, b_layout_, c_layout_, d_layout_;
  DeviceBuffer a_, b_, c_, d_, workspace_;
  cublasLtMatmulAlgo_t algo_{};
  std::string implementation_;
};

class CublasGemmBackend final : public GemmBackend {
 public:
  explicit CublasGemmBackend(const BackendSettings& s) : settings_(s) {
    const CudaDevice& d = cuda_device(s.device);
    availability_ = d.availability;
    if (!availability_.available) return;
    info_ = d.info;
    // Constructors must not throw (backend.hpp): whatever fails here becomes the reason the backend is unavailable.
    const cudaError_t set = cudaSetDevice(s.device);
    const cudaError_t made = set == cudaSuccess ? cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking) : set;
    if (made != cudaSuccess) {
      availability_ = {false, std::string("cannot use CUDA device ") + std::to_string(s.device) + " (" +
                                  cudaGetErrorName(made) + ": " + cudaGetErrorString(made) + ")"};
      return;
    }
    const cublasStatus_t lt = cublasLtCreate(&handle_);
    if (lt != CUBLAS_STATUS_SUCCESS)
      availability_ = {false, std::string("cublasLtCreate failed (") + cublasLtGetStatusName(lt) + ")"};
  }

  ~CublasGemmBackend() override {
    if (handle_) cublasLtDestroy(handle_);
    if (stream_) cudaStreamDestroy(stream_);
  }

  Availability availability() const override { return availability_; }

  std::string device() const override {
    return availability_.available ? describe(info_) : "CUDA device " + std::to_string(settings_.device) + " (unavailable)";
  }

  DeviceIdentity hardware() const override { return gpu_identity(cuda_device(settings_.device)); }

  std::string library() const override {
    return cublaslt_version_string(cublasLtGetVersion()) + " (CUDA runtime " + runtime_version() + ")";
  }

  std::vector<std::pair<std::string, std::string>> context() const override {
    std::vector<std::pair<std::string, std::string>> out;
    if (availability_.available) out = context_of(info_);
    out.emplace_back("library", library());
    out.emplace_back("workspace_mib", std::to_string(settings_.workspace_bytes >> 20));
    out.emplace_back("algorithm_choice", settings_.autotune > 0
                                             ? "fastest of cuBLASLt's top " + std::to_string(settings_.autotune) +
                                                   " heuristic candidates, each timed cold (median of 5 calls "
                                                   "after 2 untimed)"
                                             : "cuBLASLt's first heuristic choice");
    return out;
  }

  bool reads_host_operands() const override { return false; }

  Support supports(const GemmProblem& p, const GemmConfig& config) const override {
    if (config.b_layout == BLayout::packed)
      return Support::no("cuBLASLt takes B as stored; it has no pre-packed weight layout to prepare");
    return lt_supports(p, info_.cc_major, info_.cc_minor);
  }

  std::unique_ptr<GemmOperation> prepare(const GemmProblem& p, const GemmConfig&, const GemmOperands& in) override {
    check_cuda(cudaSetDevice(settings_.device), "cudaSetDevice");
    require_memory(p);
    auto op = std::make_unique<LtGemmOperation>(handle_, stream_, settings_.device, p, settings_.workspace_bytes);
    op->load_operands(in);
    const auto found = op->candidates(std::max(1, settings_.autotune));
    if (settings_.autotune <= 0 || found.size() == 1) {
      op->use(found.front().algo, settings_.autotune > 0 ? "heuristic #1, the only candidate" : "heuristic #1");
      return op;
    }
    autotune(*op, found);
    op->poison_output();
    return op;
  }

 private:
  static std::string runtime_version() {
    int v = 0;
    cudaRuntimeGetVersion(&v);
    return cuda_version_string(v);
  }

  // A problem that cannot fit is a property of the device, not a failure: skip it with the numbers.
  void require_memory(const GemmProblem& p) const {
    const auto& t = p.types();
    const double need = static_cast<double>(p.a_elements() + p.b_elements()) * size_of(t.input) +
                        static_cast<double>(p.c_elements()) * size_of(t.output) * (p.beta != 0 ? 2 : 1) +
                        static_cast<double>(settings_.workspace_bytes) + 2.0 * info_.l2_bytes;
    std::size_t free_bytes = 0, total = 0;
    check_cuda(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    if (need > 0.95 * static_cast<double>(free_bytes))
      throw Unsupported("needs " + std::to_string(static_cast<long long>(need / (1 << 20))) + " MiB of device memory, " +
                        std::to_string(free_bytes >> 20) + " MiB free");
  }

  // Times each candidate on the case itself, cold (L2 flushed, one call per event pair), and keeps the fastest
  // by median. A candidate that fails to run is passed over.
  void autotune(LtGemmOperation& op, const std::vector<cublasLtMatmulHeuristicResult_t>& found) {
    CudaTimer timer(stream_, info_);
    double best = INFINITY;
    std::size_t best_index = 0;
    for (std::size_t i = 0; i < found.size(); ++i) {
      op.use(found[i].algo, "");
      try {
        const double t = median_cold_seconds(op, timer, stream_);
        if (t < best) {
          best = t;
          best_index = i;
        }
      } catch (const std::exception&) {
        cudaGetLastError();  // clear a launch error so the next candidate starts clean
      }
    }
    if (!std::isfinite(best)) throw std::runtime_error("none of cuBLASLt's " + std::to_string(found.size()) +
                                                       " candidate algorithms ran");
    op.use(found[best_index].algo, "autotuned: fastest of " + std::to_string(found.size()) +
                                       " heuristic candidates, heuristic #" + std::to_string(best_index + 1));
  }

  BackendSettings settings_;
  Availability availability_;
  CudaDeviceInfo info_;
  cudaStream_t stream_ = nullptr;
  cublasLtHandle_t handle_ = nullptr;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(GemmBackend, "cublas", CublasGemmBackend);

}  // namespace dlbench
