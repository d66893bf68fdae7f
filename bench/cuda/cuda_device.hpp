// What the harness knows about a CUDA device: whether it can be used at all (and why not), and the static facts
// every row and the run's context carry (name, PCI id, SMs, memory, L2, clocks, driver and runtime versions).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "harness/backend.hpp"
#include "target/hardware.hpp"

namespace dlbench {

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int cc_major = 0, cc_minor = 0;
  int sm_count = 0;
  std::size_t memory_bytes = 0;
  int l2_bytes = 0;
  double rated_sm_clock_hz = 0;  // cudaDevAttrClockRate: the rated maximum (boost) SM clock
  double memory_clock_hz = 0;
  int memory_bus_bits = 0;
  std::string pci_bus_id;  // domain:bus:device.function, e.g. 0000:18:00.0
  std::string pci_id;      // vendor:device[/subsystem], e.g. 10de:2330 (H100 SXM5); empty if unreadable
  int driver_version = 0, runtime_version = 0;  // the CUDA versions the driver and the runtime implement
  std::string nvidia_driver;  // the kernel module's version, e.g. 580.65.06; empty if unreadable
  // From NVML where the driver's libnvidia-ml loads (nvml_probe.hpp); 0 when unknown.
  double power_limit_w = 0;  // the enforced power limit
  int nvlinks_active = 0;    // NVLinks up

  int compute_capability() const { return cc_major * 10 + cc_minor; }
  // Theoretical DRAM bandwidth, bytes/s: two transfers per memory clock (MEASURE.md §4).
  double memory_bandwidth() const { return 2.0 * memory_clock_hz * memory_bus_bits / 8.0; }
};

struct CudaDevice {
  Availability availability;
  CudaDeviceInfo info;  // filled only when available
};

// Probes device `index` once per process (later calls return the same answer). Never throws: a machine without
// a driver or device gets availability.available = false and the reason.
const CudaDevice& cuda_device(int index);

// ---- Pure helpers, unit-tested without a GPU ----

// Why device `index` cannot be used, given what cudaGetDeviceCount returned; empty when it can.
std::string cuda_unavailable_reason(cudaError_t count_status, int device_count, int index);
// 13000 → "13.0", 12080 → "12.8" (the encoding of cudaDriverGetVersion / cudaRuntimeGetVersion).
std::string cuda_version_string(int version);
// "10de:2330" (or "10de:2330/10de:16c1" with the subsystem) from sysfs for a PCI bus id; empty if unreadable.
std::string read_pci_id(const std::string& pci_bus_id, const std::string& sysfs_devices = "/sys/bus/pci/devices");
// The NVIDIA kernel module's version ("580.65.06") from /proc/driver/nvidia/version; empty if unreadable.
std::string read_nvidia_driver_version(const std::string& path = "/proc/driver/nvidia/version");
// The `device` column: "NVIDIA H100 80GB HBM3 (10de:2330, sm_90, 132 SMs, 79.1 GiB, L2 50 MiB, 1980 MHz)".
std::string describe(const CudaDeviceInfo& info);
// The identity the device's hardware target is found by (target/hardware.hpp), with the power limit and NVLinks
// among its facts. `index` describes an unavailable device: kind unknown, no roofline.
DeviceIdentity gpu_identity(const CudaDevice& device);
// Static facts for the run's context, one key each.
std::vector<std::pair<std::string, std::string>> context_of(const CudaDeviceInfo& info);

}  // namespace dlbench
