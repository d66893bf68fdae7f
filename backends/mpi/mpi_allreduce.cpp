// The MPI backend: MPI_Allreduce on host buffers over the ranks of MPI_COMM_WORLD (mpi_common.hpp says which types
// and reductions MPI has). Whether the library is CUDA-aware is recorded in the run's context; the `mpi_cuda`
// backend measures device buffers where it is.
#include <mpi.h>

#include <cstring>
#include <vector>

#include "allreduce/allreduce_backend.hpp"
#include "common/dtype.hpp"
#include "harness/host_info.hpp"
#include "harness/process_group.hpp"
#include "mpi_common.hpp"

namespace dlbench {
namespace {

class MpiOperation final : public AllReduceOperation {
 public:
  MpiOperation(const AllReduceProblem& p, MPI_Comm comm, const void* input, const void* poison)
      : p_(p), comm_(comm), bytes_(static_cast<std::size_t>(p.bytes())) {
    // Out of place: the input buffer and a separate output. In place: one buffer, holding the input.
    in_.resize(bytes_);
    std::memcpy(in_.data(), input, bytes_);
    if (!p.inplace) {
      out_.resize(bytes_);
      std::memcpy(out_.data(), poison, bytes_);
    }
  }

  // In place, each timed call reduces what the previous one left (values grow, fp16-like types may reach
  // infinity): the same messages and the same reduction work, which is what is timed; only the verified first call
  // needs the real input, and it gets it.
  void run() override { mpi::allreduce(p_, comm_, in_.data(), out_.data()); }

  void read_output(int, void* out) override { std::memcpy(out, p_.inplace ? in_.data() : out_.data(), bytes_); }

  std::string implementation() const override {
    return std::string("MPI_Allreduce, host buffers, ") + (p_.inplace ? "MPI_IN_PLACE" : "out of place");
  }

 private:
  AllReduceProblem p_;
  MPI_Comm comm_;
  std::size_t bytes_;
  std::vector<std::byte> in_, out_;
};

class MpiBackend final : public AllReduceBackend {
 public:
  explicit MpiBackend(const BackendSettings& s) : world_(s) {
    device_ = cpu_model() + ", " + (s.group ? s.group->describe() : std::to_string(world_.ranks()) + " ranks");
  }

  Availability availability() const override {
    return world_.unavailable().empty() ? Availability{} : Availability{false, world_.unavailable()};
  }
  std::string device() const override { return device_; }
  // Threads do not apply: the row is placed against the link (host memory when every rank is on this host).
  DeviceIdentity hardware() const override { return host_cpu(0); }
  std::string library() const override { return world_.library(); }
  std::vector<std::pair<std::string, std::string>> context() const override {
    return {{"library", world_.library()}, {"mpi_standard", world_.standard()}, {"cuda_aware", mpi::cuda_awareness()}};
  }

  int ranks() const override { return world_.ranks(); }
  std::string buffers() const override { return "host"; }

  Support supports(const AllReduceProblem& p) const override { return mpi::supports(p); }

  std::unique_ptr<AllReduceOperation> prepare(const AllReduceProblem& p, std::span<const void* const> inputs,
                                              const void* poison) override {
    return std::make_unique<MpiOperation>(p, world_.comm(), inputs[0], poison);
  }

 private:
  mpi::World world_;
  std::string device_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(dlbench::AllReduceBackend, "mpi", MpiBackend);

}  // namespace dlbench
