#include "cuda/nvml_probe.hpp"

#include <dlfcn.h>

namespace dlbench {

namespace {

// The few NVML entry points used, declared here: the toolkit ships no nvml.h. Their ABI is stable across NVML
// versions (the _v2 names are the ones nvml.h maps the plain names to).
using nvmlReturn = int;
using nvmlDevice = void*;
constexpr nvmlReturn kSuccess = 0;
constexpr unsigned kMaxLinks = 18;  // NVML_NVLINK_MAX_LINKS on Hopper

struct Nvml {
  void* lib = nullptr;
  nvmlReturn (*init)() = nullptr;
  nvmlReturn (*shutdown)() = nullptr;
  nvmlReturn (*by_bus_id)(const char*, nvmlDevice*) = nullptr;
  nvmlReturn (*power_limit)(nvmlDevice, unsigned*) = nullptr;
  nvmlReturn (*link_state)(nvmlDevice, unsigned, int*) = nullptr;
};

template <class F>
void bind(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
}

}  // namespace

NvmlFacts nvml_facts(const std::string& pci_bus_id) {
  NvmlFacts out;
  Nvml n;
  n.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!n.lib) {
    out.reason = "libnvidia-ml.so.1 not found";
    return out;
  }
  bind(n.lib, "nvmlInit_v2", n.init);
  bind(n.lib, "nvmlShutdown", n.shutdown);
  bind(n.lib, "nvmlDeviceGetHandleByPciBusId_v2", n.by_bus_id);
  bind(n.lib, "nvmlDeviceGetEnforcedPowerLimit", n.power_limit);
  bind(n.lib, "nvmlDeviceGetNvLinkState", n.link_state);
  nvmlDevice device = nullptr;
  if (!n.init || !n.shutdown || !n.by_bus_id) {
    out.reason = "libnvidia-ml.so.1 lacks nvmlInit_v2 or nvmlDeviceGetHandleByPciBusId_v2";
  } else if (n.init() != kSuccess) {
    out.reason = "nvmlInit failed";
  } else {
    if (n.by_bus_id(pci_bus_id.c_str(), &device) == kSuccess) {
      out.available = true;
      unsigned milliwatts = 0;
      if (n.power_limit && n.power_limit(device, &milliwatts) == kSuccess) out.power_limit_w = milliwatts / 1000.0;
      for (unsigned link = 0; n.link_state && link < kMaxLinks; ++link) {
        int active = 0;
        if (n.link_state(device, link, &active) == kSuccess && active) ++out.nvlinks_active;
      }
    } else {
      out.reason = "NVML does not know the device at " + pci_bus_id;
    }
    n.shutdown();
  }
  dlclose(n.lib);
  return out;
}

}  // namespace dlbench
