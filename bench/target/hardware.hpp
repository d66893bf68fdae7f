// What a backend computes on, as detected on this machine: the facts the hardware target is looked up by (PCI id,
// name) and those a target is derived from when the spec table does not know the part (units, clocks, caches,
// ISA). Backends report it (Backend::hardware()); the roofline of every row is that of its device.
#pragma once

#include <string>
#include <vector>

namespace dlbench {

enum class DeviceKind { unknown, cpu, gpu };

struct DeviceIdentity {
  DeviceKind kind = DeviceKind::unknown;
  std::string name;       // the CUDA device name, or the CPU's model name
  std::string pci_id;     // GPUs: vendor:device in lower-case hex (10de:2330), without the subsystem
  int units = 0;          // SMs, or the CPU cores this process may run on
  double clock_mhz = 0;   // the rated SM clock, or the CPU's nominal clock; 0 when unknown
  double memory_gbps = 0; // GPUs: theoretical DRAM bandwidth from the CUDA attributes; 0 when unknown
  double memory_gb = 0;   // device memory (GPUs) or RAM (CPUs), decimal GB
  double l2_mb = 0;       // GPUs: L2; CPUs: the last-level cache; decimal MB; 0 when unknown
  std::vector<std::string> isa;  // CPUs: the flags that decide the peak (avx512f, amx_bf16, ...)
  // CPU backends: the threads a row runs with, which scales the compute peak (min(threads, units) / units of it);
  // 0 for devices, where a row always has the whole device.
  int threads = 0;
  std::vector<std::pair<std::string, std::string>> facts;  // more for the run's context (power limit, NVLinks, ...)

  // Identifies the device for caching a resolved target: kind, name, PCI id and units; threads do not count.
  std::string key() const;
  // "NVIDIA H100 80GB HBM3 (10de:2330, 132 SMs, 1980 MHz)" / "Intel(R) Xeon(R) ... (2 cores, 2100 MHz, avx512f amx_bf16)".
  std::string describe() const;
  bool has_isa(const std::string& flag) const;
};

// The processor this process runs on: model name, nominal clock and ISA flags from /proc/cpuinfo, the cores it
// may use (its affinity mask), the last-level cache and the memory from sysfs and /proc/meminfo. Read once.
// `threads` is the row's thread count (see DeviceIdentity::threads).
DeviceIdentity host_cpu(int threads);

// ---- Pure helpers, unit-tested with fixture text ----

// Fills name, clock_mhz and isa (only the flags listed in peak_isa_flags()) from the text of /proc/cpuinfo.
void parse_cpuinfo(const std::string& text, DeviceIdentity& cpu);
// The cpuinfo flags that change a CPU's peak (cpu_peaks.hpp).
const std::vector<std::string>& peak_isa_flags();
// "16384K" / "300 MiB" / "32 KB" sysfs cache sizes → decimal MB; 0 when unreadable.
double parse_cache_size_mb(const std::string& text);
// A lower-case slug for target ids: "Intel(R) Xeon(R) Processor" → "intel-xeon-processor".
std::string slug(const std::string& text);

}  // namespace dlbench
