// The `mpi_cuda` backend: MPI_Allreduce on device buffers, for MPI libraries built CUDA-aware (Open MPI with
// --with-cuda and MPIX_Query_cuda_support() = 1, MVAPICH2-GDR, ...). Each rank drives one GPU chosen by its rank
// on its host, as the NCCL backend's ranks do (bench/cuda/device_placement.hpp), and two ranks on one GPU are
// refused before the first call. Where the library is not CUDA-aware the backend is unavailable and says so: it
// would otherwise read device pointers as host memory and crash.
//
// A CUDA-aware MPI_Allreduce returns once the result is in the output buffer (the library synchronises its own
// copies), so the host timer times it; the cold mode's flush touches host caches, not the GPU's L2.
#include <cuda_runtime_api.h>
#include <mpi.h>

#include "allreduce/allreduce_backend.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_error.hpp"
#include "cuda/device_buffer.hpp"
#include "cuda/device_placement.hpp"
#include "harness/case.hpp"
#include "harness/process_group.hpp"
#include "mpi_common.hpp"

namespace dlbench {
namespace {

class MpiCudaOperation final : public AllReduceOperation {
 public:
  MpiCudaOperation(const AllReduceProblem& p, MPI_Comm comm, int device, const void* input, const void* poison)
      : p_(p), comm_(comm), device_(device), bytes_(static_cast<std::size_t>(p.bytes())) {
    check_cuda(cudaSetDevice(device), "cudaSetDevice");
    in_ = DeviceBuffer(bytes_);
    check_cuda(cudaMemcpy(in_.get(), input, bytes_, cudaMemcpyHostToDevice), "copying the input");
    if (!p.inplace) {
      out_ = DeviceBuffer(bytes_);
      check_cuda(cudaMemcpy(out_.get(), poison, bytes_, cudaMemcpyHostToDevice), "poisoning the output");
    }
  }

  // In place, each timed call reduces what the previous left: the same transfers and work.
  void run() override { mpi::allreduce(p_, comm_, in_.get(), out_.get()); }

  void read_output(int, void* out) override {
    check_cuda(cudaSetDevice(device_), "cudaSetDevice");
    check_cuda(cudaMemcpy(out, p_.inplace ? in_.get() : out_.get(), bytes_, cudaMemcpyDeviceToHost),
               "copying the output");
  }

  std::string implementation() const override {
    return std::string("MPI_Allreduce, device buffers, ") + (p_.inplace ? "MPI_IN_PLACE" : "out of place");
  }

 private:
  AllReduceProblem p_;
  MPI_Comm comm_;
  int device_;
  std::size_t bytes_;
  DeviceBuffer in_, out_;
};

class MpiCudaBackend final : public AllReduceBackend {
 public:
  explicit MpiCudaBackend(const BackendSettings& s) : world_(s), group_(s.group ? s.group : &alone_) {
    // The same collective calls on every rank, whatever each finds.
    std::string error = world_.unavailable();
    if (error.empty() && !mpi::cuda_aware())
      error = world_.library() + " here cannot take device buffers: CUDA-aware " + mpi::cuda_awareness();
    const RankStatus agreed = agree_status(*group_, {error.empty() ? RankStatus::ok : RankStatus::skipped, error});
    if (agreed.code != RankStatus::ok) {
      unavailable_ = agreed.reason;
      return;
    }
    const GpuPlacement placement = place_on_gpus(*group_, s.device, 1);
    map_ = describe_map(placement.all);
    if (!placement.unavailable.empty()) {
      unavailable_ = placement.unavailable;
      return;
    }
    device_index_ = placement.devices[0];
    device_ = describe(cuda_device(device_index_).info) + ", " + group_->describe();
  }

  Availability availability() const override {
    return unavailable_.empty() ? Availability{} : Availability{false, unavailable_};
  }
  std::string device() const override { return device_; }
  DeviceIdentity hardware() const override {
    return unavailable_.empty() ? gpu_identity(cuda_device(device_index_)) : DeviceIdentity{};
  }
  std::string library() const override { return world_.library(); }
  std::vector<std::pair<std::string, std::string>> context() const override {
    std::vector<std::pair<std::string, std::string>> out{{"library", world_.library()},
                                                        {"cuda_aware", mpi::cuda_awareness()}};
    if (!map_.empty()) out.emplace_back("ranks", map_);
    return out;
  }

  int ranks() const override { return world_.ranks(); }
  std::string buffers() const override { return "device"; }

  Support supports(const AllReduceProblem& p) const override { return mpi::supports(p); }

  std::unique_ptr<AllReduceOperation> prepare(const AllReduceProblem& p, std::span<const void* const> inputs,
                                              const void* poison) override {
    if (!unavailable_.empty()) throw std::runtime_error("mpi_cuda backend unavailable: " + unavailable_);
    check_cuda(cudaSetDevice(device_index_), "cudaSetDevice");
    std::size_t free_bytes = 0, total = 0;
    check_cuda(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    const double need = p.bytes() * (p.inplace ? 1 : 2);
    if (need > 0.9 * static_cast<double>(free_bytes))
      throw Unsupported("needs " + std::to_string(static_cast<long long>(need / (1 << 20))) + " MiB on GPU " +
                        std::to_string(device_index_) + ", " + std::to_string(free_bytes >> 20) + " MiB free");
    return std::make_unique<MpiCudaOperation>(p, world_.comm(), device_index_, inputs[0], poison);
  }

 private:
  mpi::World world_;
  SingleProcess alone_;
  ProcessGroup* group_;
  int device_index_ = 0;
  std::string unavailable_, map_, device_ = "no GPU";
};

}  // namespace

DLBENCH_REGISTER_BACKEND(AllReduceBackend, "mpi_cuda", MpiCudaBackend);

}  // namespace dlbench
