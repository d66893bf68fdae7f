// The NCCL backend: ncclAllReduce on device buffers, one rank per GPU.
//   - Under a launcher (mpirun, srun): one GPU per process, chosen by node-local rank (nccl_placement.hpp); rank 0
//     makes the unique id (ncclGetUniqueId), the run's process group broadcasts it, every rank joins with
//     ncclCommInitRank. The group is the harness's, so this folder needs no MPI of its own.
//   - As one process: --gpus devices, one rank each, from ncclCommInitAll; every call is a group call over them.
// Every rank checks its devices before NCCL is touched, and the verdict is agreed across ranks, so a rank without a
// GPU, or two ranks on one GPU (bench/cuda/device_placement.hpp), make the backend unavailable on every rank with one message instead of a hang or an
// abort inside NCCL. The NCCL version and the rank → host/GPU map are printed once, by rank 0, and kept in the
// run's context. Timing is the harness's CUDA engine (bench/cuda) on the first device's stream; with several
// devices the other streams are forked from and joined back into it, so its events span every device's work.
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "allreduce/allreduce_backend.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_error.hpp"
#include "cuda/cuda_timer.hpp"
#include "cuda/device_buffer.hpp"
#include "cuda/device_placement.hpp"
#include "harness/case.hpp"
#include "harness/process_group.hpp"

namespace dlbench {
namespace {

void check_nccl(ncclResult_t r, const char* what) {
  if (r != ncclSuccess) throw std::runtime_error(std::string(what) + ": " + ncclGetErrorString(r));
}

ncclDataType_t nccl_type(DataType t) {
  switch (t) {
    case DataType::f32: return ncclFloat32;
    case DataType::f16: return ncclFloat16;
    case DataType::bf16: return ncclBfloat16;
    case DataType::f64: return ncclFloat64;
    default: return ncclInt32;
  }
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return ncclSum;
    case ReduceOp::max: return ncclMax;
    case ReduceOp::min: return ncclMin;
    default: return ncclAvg;
  }
}

// 22809 → "2.28.9" (NCCL_VERSION_CODE since 2.9: major·10000 + minor·100 + patch).
std::string nccl_version_string(int code) {
  return std::to_string(code / 10000) + "." + std::to_string(code / 100 % 100) + "." + std::to_string(code % 100);
}

// This process's communicators, one per device it drives, and a stream each. Shared by the backend and its
// operations, which must not outlive them.
struct Ranks {
  std::vector<int> devices;
  std::vector<ncclComm_t> comms;
  std::vector<cudaStream_t> streams;
  ~Ranks() {
    for (std::size_t i = 0; i < comms.size(); ++i) {
      cudaSetDevice(devices[i]);
      if (streams[i]) cudaStreamDestroy(streams[i]);
      if (comms[i]) ncclCommDestroy(comms[i]);
    }
  }
};

class NcclOperation final : public AllReduceOperation {
 public:
  NcclOperation(std::shared_ptr<Ranks> ranks, const AllReduceProblem& p, std::span<const void* const> inputs,
                const void* poison)
      : ranks_(std::move(ranks)), p_(p), bytes_(static_cast<std::size_t>(p.bytes())) {
    for (std::size_t i = 0; i < ranks_->devices.size(); ++i) {
      check_cuda(cudaSetDevice(ranks_->devices[i]), "cudaSetDevice");
      in_.emplace_back(bytes_);
      check_cuda(cudaMemcpy(in_.back().get(), inputs[i], bytes_, cudaMemcpyHostToDevice), "copying the input");
      out_.emplace_back(p.inplace ? 0 : bytes_);
      if (!p.inplace)
        check_cuda(cudaMemcpy(out_.back().get(), poison, bytes_, cudaMemcpyHostToDevice), "poisoning the output");
      cudaEvent_t e;
      check_cuda(cudaEventCreateWithFlags(&e, cudaEventDisableTiming), "cudaEventCreate");
      events_.push_back(e);
    }
    check_cuda(cudaSetDevice(ranks_->devices[0]), "cudaSetDevice");
  }
  ~NcclOperation() override {
    for (auto e : events_) cudaEventDestroy(e);
  }

  // In place, each timed call reduces what the previous left: the same transfers and reduction work; only the
  // verified first call needs the real input, and it gets it.
  void run() override {
    const std::size_t n = ranks_->devices.size();
    if (n > 1) {
      // Fork: the other streams wait for the first, so the timer's hold on it holds them all.
      check_cuda(cudaEventRecord(events_[0], ranks_->streams[0]), "cudaEventRecord");
      for (std::size_t i = 1; i < n; ++i)
        check_cuda(cudaStreamWaitEvent(ranks_->streams[i], events_[0], 0), "cudaStreamWaitEvent");
      check_nccl(ncclGroupStart(), "ncclGroupStart");
    }
    for (std::size_t i = 0; i < n; ++i) {
      void* in = in_[i].get();
      check_nccl(ncclAllReduce(in, p_.inplace ? in : out_[i].get(), static_cast<std::size_t>(p_.count),
                               nccl_type(p_.type), nccl_op(p_.op), ranks_->comms[i], ranks_->streams[i]),
                 "ncclAllReduce");
    }
    if (n > 1) {
      check_nccl(ncclGroupEnd(), "ncclGroupEnd");
      // Join: the first stream waits for every other, so its stop event follows the last device's work.
      for (std::size_t i = 1; i < n; ++i) {
        check_cuda(cudaEventRecord(events_[i], ranks_->streams[i]), "cudaEventRecord");
        check_cuda(cudaStreamWaitEvent(ranks_->streams[0], events_[i], 0), "cudaStreamWaitEvent");
      }
    }
  }

  void read_output(int k, void* out) override {
    const auto i = static_cast<std::size_t>(k);
    check_cuda(cudaSetDevice(ranks_->devices[i]), "cudaSetDevice");
    check_cuda(cudaStreamSynchronize(ranks_->streams[i]), "waiting for the allreduce");
    check_cuda(cudaMemcpy(out, p_.inplace ? in_[i].get() : out_[i].get(), bytes_, cudaMemcpyDeviceToHost),
               "copying the output");
    check_cuda(cudaSetDevice(ranks_->devices[0]), "cudaSetDevice");
  }

  std::string implementation() const override {
    return std::string("ncclAllReduce") + (ranks_->devices.size() > 1 ? " in a group call" : "") +
           (p_.inplace ? ", in place" : ", out of place");
  }

  std::unique_ptr<Timer> make_timer() override { return make_cuda_timer(ranks_->streams[0], ranks_->devices[0]); }

 private:
  std::shared_ptr<Ranks> ranks_;
  AllReduceProblem p_;
  std::size_t bytes_;
  std::vector<DeviceBuffer> in_, out_;
  std::vector<cudaEvent_t> events_;
};

class NcclBackend final : public AllReduceBackend {
 public:
  explicit NcclBackend(const BackendSettings& s) : group_(s.group ? s.group : &alone_) {
    int code = 0;
    if (ncclGetVersion(&code) == ncclSuccess) version_ = nccl_version_string(code);
    // Under a launcher each rank drives one device; choose_devices() refuses --gpus > 1 there, with the reason.
    ranks_per_process_ = group_->size() > 1 ? 1 : std::max(1, s.devices_per_process);
    const GpuPlacement placement = place_on_gpus(*group_, s.device, std::max(1, s.devices_per_process));
    map_ = describe_map(placement.all);
    if (!placement.unavailable.empty()) {
      unavailable_ = placement.unavailable;
      return;
    }
    devices_ = placement.devices;
    std::string error = init_communicators();
    const RankStatus inited = agree_status(*group_, {error.empty() ? RankStatus::ok : RankStatus::failed, error});
    if (inited.code != RankStatus::ok) {
      unavailable_ = inited.reason;
      return;
    }
    if (group_->is_root())
      std::fprintf(stderr, "nccl: NCCL %s, %d ranks: %s\n", version_.c_str(), ranks(), map_.c_str());
    device_ = describe(cuda_device(devices_[0]).info) +
              (ranks() > 1 ? ", " + std::to_string(ranks()) + " ranks (" + group_->describe() + ")" : "");
  }

  Availability availability() const override {
    return unavailable_.empty() ? Availability{} : Availability{false, unavailable_};
  }
  std::string device() const override { return device_; }
  DeviceIdentity hardware() const override {
    return devices_.empty() || !unavailable_.empty() ? DeviceIdentity{} : gpu_identity(cuda_device(devices_[0]));
  }
  std::string library() const override { return "NCCL " + version_; }
  std::vector<std::pair<std::string, std::string>> context() const override {
    std::vector<std::pair<std::string, std::string>> out{{"library", library()},
                                                        {"header", nccl_version_string(NCCL_VERSION_CODE)}};
    if (!map_.empty()) out.emplace_back("ranks", map_);
    if (!devices_.empty() && unavailable_.empty())
      for (auto& kv : context_of(cuda_device(devices_[0]).info)) out.push_back(std::move(kv));
    return out;
  }

  int ranks_per_process() const override { return ranks_per_process_; }
  int ranks() const override { return group_->size() * ranks_per_process_; }
  std::string buffers() const override { return "device"; }

  // NCCL has every type and reduction allreduce_bench runs (bf16 and avg since 2.10).
  Support supports(const AllReduceProblem&) const override { return Support::yes(); }

  std::unique_ptr<AllReduceOperation> prepare(const AllReduceProblem& p, std::span<const void* const> inputs,
                                              const void* poison) override {
    if (!unavailable_.empty()) throw std::runtime_error("NCCL backend unavailable: " + unavailable_);
    // A size that cannot fit is a property of the device: skip it with the figures. Input, output and the timer's
    // L2-flush buffer (twice the L2).
    for (int device : devices_) {
      check_cuda(cudaSetDevice(device), "cudaSetDevice");
      std::size_t free_bytes = 0, total = 0;
      check_cuda(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
      const double need = p.bytes() * (p.inplace ? 1 : 2) + 2.0 * cuda_device(device).info.l2_bytes;
      if (need > 0.9 * static_cast<double>(free_bytes))
        throw Unsupported("needs " + std::to_string(static_cast<long long>(need / (1 << 20))) + " MiB on GPU " +
                          std::to_string(device) + ", " + std::to_string(free_bytes >> 20) + " MiB free");
    }
    return std::make_unique<NcclOperation>(ranks_state_, p, inputs, poison);
  }

 private:
  // Creates the communicators (collective across the run's ranks); the reason it failed, or "".
  std::string init_communicators() {
    auto state = std::make_shared<Ranks>();
    state->devices = devices_;
    state->comms.assign(devices_.size(), nullptr);
    state->streams.assign(devices_.size(), nullptr);
    std::string error;
    try {
      if (group_->size() > 1) {
        ncclUniqueId id{};
        if (group_->is_root()) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
        const std::string shared = group_->broadcast(std::string(id.internal, sizeof id.internal));
        std::memcpy(id.internal, shared.data(), sizeof id.internal);
        check_cuda(cudaSetDevice(devices_[0]), "cudaSetDevice");
        check_nccl(ncclCommInitRank(&state->comms[0], ranks(), id, group_->rank()), "ncclCommInitRank");
      } else {
        check_nccl(ncclCommInitAll(state->comms.data(), static_cast<int>(devices_.size()), devices_.data()),
                   "ncclCommInitAll");
      }
      for (std::size_t i = 0; i < devices_.size(); ++i) {
        check_cuda(cudaSetDevice(devices_[i]), "cudaSetDevice");
        check_cuda(cudaStreamCreateWithFlags(&state->streams[i], cudaStreamNonBlocking), "cudaStreamCreate");
      }
      check_cuda(cudaSetDevice(devices_[0]), "cudaSetDevice");
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty()) ranks_state_ = std::move(state);
    return error;
  }

  SingleProcess alone_;
  ProcessGroup* group_;
  int ranks_per_process_ = 1;
  std::vector<int> devices_;
  std::shared_ptr<Ranks> ranks_state_;
  std::string version_ = "unknown", unavailable_, map_, device_ = "no GPU";
};

}  // namespace

DLBENCH_REGISTER_BACKEND(AllReduceBackend, "nccl", NcclBackend);

}  // namespace dlbench
