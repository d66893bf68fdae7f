// Which GPU each rank of a multi-process run drives, decided on the host before any GPU library is touched
// (MEASURE.md §5); shared by the backends whose ranks are GPUs (NCCL, CUDA-aware MPI). Pure logic, unit-tested
// without a GPU:
//   - under a launcher (more than one process) each process drives one device, chosen by its rank among the
//     processes on its host (an MPI shared-memory split), offset by --device; --gpus > 1 is refused there;
//   - a single process drives --gpus devices from --device on, one rank each (ncclCommInitAll);
//   - two ranks on one physical device (too many ranks per host, or CUDA_VISIBLE_DEVICES giving ranks the same
//     card under different indices) are caught by PCI bus id across all ranks, with a message naming them, before
//     NCCL would stop with "Duplicate GPU detected" (or an MPI library would silently share the card).
#pragma once

#include <string>
#include <vector>

#include "harness/process_group.hpp"

namespace dlbench {

// The devices this process drives, or why it cannot (`error` set, `devices` empty).
struct DeviceChoice {
  std::vector<int> devices;
  std::string error;
};
// `processes` in the run; this one is `local_rank` of `local_size` on `host`; `visible` devices (cudaGetDeviceCount);
// `first_device` from --device; `gpus` from --gpus.
DeviceChoice choose_devices(int processes, int local_rank, int local_size, const std::string& host, int visible,
                            int first_device, int gpus);

// One rank's device, as every rank learns it (all_gather of encode_rank_devices()).
struct RankDevice {
  int rank = 0;
  std::string host;
  int device = 0;
  std::string pci_bus_id;
};
std::string encode_rank_devices(const std::vector<RankDevice>& mine);
std::vector<RankDevice> decode_rank_devices(const std::string& text);

// "ranks 0 and 2 both drive the GPU at 0000:18:00.0 on host a ..." for the first pair sharing a device; empty when
// every rank has its own.
std::string duplicate_devices(const std::vector<RankDevice>& all);
// "rank 0: a GPU 0 (0000:18:00.0); rank 1: ..." for the log and the run's context.
std::string describe_map(const std::vector<RankDevice>& all);

// What place_on_gpus() decided, the same on every rank except `devices`.
struct GpuPlacement {
  std::vector<int> devices;     // this process's devices, one rank each
  std::vector<RankDevice> all;  // every rank's, in rank order
  std::string unavailable;      // why the run cannot use its GPUs (agreed by every rank); empty when it can
};
// Collective over `group`: picks this process's devices (choose_devices: `first_device` from --device,
// `gpus_per_process` from --gpus), probes them, gathers every rank's host and PCI bus id, and checks that no GPU
// has two ranks. Every rank makes the same calls whatever it finds, so one rank without a GPU makes the verdict
// "unavailable" everywhere instead of leaving the others waiting.
GpuPlacement place_on_gpus(ProcessGroup& group, int first_device, int gpus_per_process);

}  // namespace dlbench
