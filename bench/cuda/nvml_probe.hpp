// What NVML adds to the CUDA attributes: the enforced power limit and the NVLinks that are up. NVML ships with the
// driver (libnvidia-ml.so.1), not the toolkit, so it is loaded at run time: a binary built here must start on a
// machine without a driver, and a driver without NVML only loses these two facts.
#pragma once

#include <string>

namespace dlbench {

struct NvmlFacts {
  bool available = false;
  std::string reason;          // why not, when not
  double power_limit_w = 0;    // 0 when NVML does not say
  int nvlinks_active = 0;
};

// Facts of the GPU at `pci_bus_id` (as cudaDeviceGetPCIBusId writes it). Never throws.
NvmlFacts nvml_facts(const std::string& pci_bus_id);

}  // namespace dlbench
