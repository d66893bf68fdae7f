#include "cuda/device_placement.hpp"

#include <sstream>

#include "cuda/cuda_device.hpp"

namespace dlbench {

DeviceChoice choose_devices(int processes, int local_rank, int local_size, const std::string& host, int visible,
                            int first_device, int gpus) {
  DeviceChoice c;
  if (processes > 1) {
    if (gpus != 1) {
      c.error = "--gpus=" + std::to_string(gpus) + " drives several devices from one process; under a launcher each "
                "rank drives one device (start one rank per GPU)";
      return c;
    }
    const int device = first_device + local_rank;
    if (device >= visible) {
      c.error = "rank " + std::to_string(local_rank) + " of " + std::to_string(local_size) + " on host " + host +
                " would drive device " + std::to_string(device) + ", but " + std::to_string(visible) +
                (visible == 1 ? " device is" : " devices are") + " visible: start at most " +
                std::to_string(visible - first_device > 0 ? visible - first_device : 0) + " ranks per host";
      return c;
    }
    c.devices = {device};
    return c;
  }
  if (first_device + gpus > visible) {
    c.error = "--gpus=" + std::to_string(gpus) + " from --device=" + std::to_string(first_device) + " needs devices " +
              std::to_string(first_device) + ".." + std::to_string(first_device + gpus - 1) + ", but " +
              std::to_string(visible) + (visible == 1 ? " device is" : " devices are") + " visible";
    return c;
  }
  for (int d = 0; d < gpus; ++d) c.devices.push_back(first_device + d);
  return c;
}

// One rank per line, fields separated by tabs (host names and bus ids contain neither).
std::string encode_rank_devices(const std::vector<RankDevice>& mine) {
  std::string out;
  for (const auto& r : mine)
    out += std::to_string(r.rank) + '\t' + r.host + '\t' + std::to_string(r.device) + '\t' + r.pci_bus_id + '\n';
  return out;
}

std::vector<RankDevice> decode_rank_devices(const std::string& text) {
  std::vector<RankDevice> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    RankDevice r;
    std::string rank, device;
    std::getline(fields, rank, '\t');
    std::getline(fields, r.host, '\t');
    std::getline(fields, device, '\t');
    std::getline(fields, r.pci_bus_id, '\t');
    r.rank = std::stoi(rank);
    r.device = std::stoi(device);
    out.push_back(r);
  }
  return out;
}

std::string duplicate_devices(const std::vector<RankDevice>& all) {
  for (std::size_t i = 0; i < all.size(); ++i)
    for (std::size_t j = i + 1; j < all.size(); ++j)
      if (all[i].host == all[j].host && all[i].pci_bus_id == all[j].pci_bus_id)
        return "ranks " + std::to_string(all[i].rank) + " and " + std::to_string(all[j].rank) +
               " both drive the GPU at " + all[i].pci_bus_id + " on host " + all[i].host + " (as device " +
               std::to_string(all[i].device) + " and " + std::to_string(all[j].device) +
               "): NCCL needs one GPU per rank; start fewer ranks per host or give each its own CUDA_VISIBLE_DEVICES";
  return {};
}

std::string describe_map(const std::vector<RankDevice>& all) {
  std::string out;
  for (const auto& r : all)
    out += (out.empty() ? "" : "; ") + ("rank " + std::to_string(r.rank) + ": " + r.host + " GPU " +
                                        std::to_string(r.device) + " (" + r.pci_bus_id + ")");
  return out;
}

GpuPlacement place_on_gpus(ProcessGroup& group, int first_device, int gpus_per_process) {
  GpuPlacement out;
  std::string error;
  int visible = 0;
  const cudaError_t e = cudaGetDeviceCount(&visible);
  if (e != cudaSuccess || visible == 0) {
    error = cuda_unavailable_reason(e, visible, first_device);
  } else {
    const DeviceChoice choice = choose_devices(group.size(), group.local_rank(), group.local_size(), group.host(),
                                               visible, first_device, gpus_per_process);
    error = choice.error;
    for (std::size_t i = 0; error.empty() && i < choice.devices.size(); ++i) {
      const CudaDevice& dev = cuda_device(choice.devices[i]);
      if (!dev.availability.available) error = dev.availability.reason;
    }
    if (error.empty()) out.devices = choice.devices;
  }
  const RankStatus agreed = agree_status(group, {error.empty() ? RankStatus::ok : RankStatus::failed, error});
  if (agreed.code != RankStatus::ok) {
    out.unavailable = agreed.reason;
    out.devices.clear();
    return out;
  }
  std::vector<RankDevice> mine;
  for (std::size_t i = 0; i < out.devices.size(); ++i)
    mine.push_back({group.rank() * gpus_per_process + static_cast<int>(i), group.host(), out.devices[i],
                    cuda_device(out.devices[i]).info.pci_bus_id});
  for (const auto& text : group.all_gather(encode_rank_devices(mine)))
    for (auto& r : decode_rank_devices(text)) out.all.push_back(r);
  out.unavailable = duplicate_devices(out.all);
  if (!out.unavailable.empty()) out.devices.clear();
  return out;
}

}  // namespace dlbench
