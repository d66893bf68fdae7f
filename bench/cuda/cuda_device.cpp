#include "cuda/cuda_device.hpp"

#include "cuda/cuda_kernels.hpp"
#include "cuda/nvml_probe.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace dlbench {

std::string cuda_version_string(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

std::string cuda_unavailable_reason(cudaError_t status, int device_count, int index) {
  const std::string code = std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
  switch (status) {
    case cudaSuccess:
      if (device_count == 0) return "no CUDA device on this machine";
      if (index < 0 || index >= device_count)
        return "--device=" + std::to_string(index) + " but this machine has " + std::to_string(device_count) +
               " CUDA device" + (device_count == 1 ? "" : "s");
      return "";
    case cudaErrorInsufficientDriver:
      return "no usable CUDA driver (" + code + ")";
    case cudaErrorNoDevice:
      return "no CUDA device on this machine (" + code + ")";
    case cudaErrorStubLibrary:
      // The toolkit's lib64/stubs/libcuda.so lets programs link without a driver; loaded at run time it only fails.
      return "the CUDA driver stub library was loaded instead of the driver: remove the toolkit's lib64/stubs from "
             "LD_LIBRARY_PATH (" + code + ")";
    default:
      return "CUDA cannot be initialised (" + code + ")";
  }
}

namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// sysfs writes ids as "0x10de".
std::string hex_id(const std::string& text) {
  std::string t = text;
  if (t.rfind("0x", 0) == 0) t = t.substr(2);
  if (t.empty() || !std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isxdigit(c); })) return "";
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t;
}

}  // namespace

std::string read_pci_id(const std::string& pci_bus_id, const std::string& sysfs_devices) {
  // The runtime prints the bus id in upper case with an 8-digit domain on some versions; sysfs uses 4 digits,
  // lower case.
  std::string id = pci_bus_id;
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
  if (id.size() > 12 && id.find(':') == 8) id = id.substr(4);
  const std::string dir = sysfs_devices + "/" + id + "/";
  const std::string vendor = hex_id(read_first_line(dir + "vendor"));
  const std::string device = hex_id(read_first_line(dir + "device"));
  if (vendor.empty() || device.empty()) return "";
  std::string out = vendor + ":" + device;
  const std::string sub_vendor = hex_id(read_first_line(dir + "subsystem_vendor"));
  const std::string sub_device = hex_id(read_first_line(dir + "subsystem_device"));
  if (!sub_vendor.empty() && !sub_device.empty()) out += "/" + sub_vendor + ":" + sub_device;
  return out;
}

std::string read_nvidia_driver_version(const std::string& path) {
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 ..." or, for the open modules,
  // "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  575.51.03  Release Build ...": the version is the
  // first token after "Kernel Module" made of digits and dots.
  const std::string line = read_first_line(path);
  const auto at = line.find("Kernel Module");
  if (at == std::string::npos) return "";
  std::istringstream tokens(line.substr(at + 13));
  std::string token;
  while (tokens >> token)
    if (std::isdigit(static_cast<unsigned char>(token[0])) && token.find('.') != std::string::npos &&
        token.find_first_not_of("0123456789.") == std::string::npos)
      return token;
  return "";
}

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string pci_device_part(const std::string& pci_id) { return pci_id.substr(0, pci_id.find('/')); }

std::string power_limit_text(const CudaDeviceInfo& d) {
  return d.power_limit_w > 0 ? fixed(d.power_limit_w, 0) : "unknown (NVML not available)";
}

}  // namespace

std::string describe(const CudaDeviceInfo& d) {
  std::string s = d.name + " (";
  if (!d.pci_id.empty()) s += pci_device_part(d.pci_id) + ", ";
  s += "sm_" + std::to_string(d.compute_capability()) + ", " + std::to_string(d.sm_count) + " SMs, " +
       fixed(static_cast<double>(d.memory_bytes) / (1ull << 30), 1) + " GiB, L2 " +
       std::to_string(d.l2_bytes >> 20) + " MiB, " + fixed(d.rated_sm_clock_hz / 1e6, 0) + " MHz)";
  return s;
}

std::vector<std::pair<std::string, std::string>> context_of(const CudaDeviceInfo& d) {
  return {{"device", d.name},
          {"device_index", std::to_string(d.index)},
          {"pci_id", d.pci_id.empty() ? "unknown (sysfs not readable)" : d.pci_id},
          {"pci_bus_id", d.pci_bus_id},
          {"compute_capability", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor)},
          {"sm_count", std::to_string(d.sm_count)},
          {"memory_gib", fixed(static_cast<double>(d.memory_bytes) / (1ull << 30), 2)},
          {"l2_mib", fixed(d.l2_bytes / 1048576.0, 1)},
          {"rated_sm_clock_mhz", fixed(d.rated_sm_clock_hz / 1e6, 0)},
          {"memory_clock_mhz", fixed(d.memory_clock_hz / 1e6, 0)},
          {"memory_bus_bits", std::to_string(d.memory_bus_bits)},
          {"memory_bandwidth_gbps", fixed(d.memory_bandwidth() / 1e9, 1)},
          {"driver", (d.nvidia_driver.empty() ? "version unknown" : d.nvidia_driver) + " (CUDA " +
                         cuda_version_string(d.driver_version) + ")"},
          {"cuda_runtime", cuda_version_string(d.runtime_version)},
          {"power_limit_w", power_limit_text(d)},
          {"nvlinks_active", std::to_string(d.nvlinks_active)}};
}

DeviceIdentity gpu_identity(const CudaDevice& device) {
  DeviceIdentity id;
  if (!device.availability.available) return id;
  const CudaDeviceInfo& d = device.info;
  id.kind = DeviceKind::gpu;
  id.name = d.name;
  id.pci_id = d.pci_id.empty() ? "" : pci_device_part(d.pci_id);
  id.units = d.sm_count;
  id.clock_mhz = d.rated_sm_clock_hz / 1e6;
  id.memory_gbps = d.memory_bandwidth() / 1e9;
  id.memory_gb = static_cast<double>(d.memory_bytes) / 1e9;
  id.l2_mb = d.l2_bytes / 1e6;
  id.facts = {{"pci_bus_id", d.pci_bus_id},
              {"compute_capability", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor)},
              {"memory_clock_mhz", fixed(d.memory_clock_hz / 1e6, 0)},
              {"memory_bus_bits", std::to_string(d.memory_bus_bits)},
              {"attribute_memory_gbps", fixed(id.memory_gbps, 1)},
              {"power_limit_w", power_limit_text(d)},
              {"nvlinks_active", std::to_string(d.nvlinks_active)}};
  return id;
}

namespace {

CudaDevice probe(int index) {
  CudaDevice out;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  const std::string why = cuda_unavailable_reason(status, count, index);
  if (!why.empty()) {
    out.availability = {false, why};
    return out;
  }
  CudaDeviceInfo& d = out.info;
  d.index = index;
  cudaDeviceProp prop{};
  int clock_khz = 0, mem_khz = 0;
  cudaError_t e = cudaGetDeviceProperties(&prop, index);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, index);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&mem_khz, cudaDevAttrMemoryClockRate, index);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&d.memory_bus_bits, cudaDevAttrGlobalMemoryBusWidth, index);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&d.l2_bytes, cudaDevAttrL2CacheSize, index);
  if (e == cudaSuccess) e = cudaDriverGetVersion(&d.driver_version);
  if (e == cudaSuccess) e = cudaRuntimeGetVersion(&d.runtime_version);
  char bus[32] = {};
  if (e == cudaSuccess) e = cudaDeviceGetPCIBusId(bus, sizeof bus, index);
  if (e != cudaSuccess) {
    out.availability = {false, "CUDA device " + std::to_string(index) + " cannot be queried (" +
                                   cudaGetErrorName(e) + ": " + cudaGetErrorString(e) + ")"};
    return out;
  }
  // A build without code for this architecture would fail at the first launch; say so up front, with the fix.
  e = cudaSetDevice(index);
  if (e == cudaSuccess) e = harness_kernels_loadable();
  if (e != cudaSuccess) {
    out.availability = {false, "this build cannot run on " + std::string(prop.name) + " (sm_" +
                                   std::to_string(prop.major * 10 + prop.minor) + "): built for CUDA architectures " +
                                   DLBENCH_CUDA_ARCHITECTURES + "; rebuild with -DCMAKE_CUDA_ARCHITECTURES=" +
                                   std::to_string(prop.major * 10 + prop.minor) + " (" + cudaGetErrorName(e) + ")"};
    return out;
  }
  d.name = prop.name;
  d.cc_major = prop.major;
  d.cc_minor = prop.minor;
  d.sm_count = prop.multiProcessorCount;
  d.memory_bytes = prop.totalGlobalMem;
  d.rated_sm_clock_hz = clock_khz * 1e3;
  d.memory_clock_hz = mem_khz * 1e3;
  d.pci_bus_id = bus;
  d.pci_id = read_pci_id(d.pci_bus_id);
  d.nvidia_driver = read_nvidia_driver_version();
  const NvmlFacts nvml = nvml_facts(d.pci_bus_id);
  d.power_limit_w = nvml.power_limit_w;
  d.nvlinks_active = nvml.nvlinks_active;
  return out;
}

}  // namespace

const CudaDevice& cuda_device(int index) {
  static std::mutex mutex;
  static std::map<int, CudaDevice> probed;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = probed.find(index);
  if (it == probed.end()) it = probed.emplace(index, probe(index)).first;
  return it->second;
}

}  // namespace dlbench
