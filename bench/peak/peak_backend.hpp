// What a peak backend implements: probes of a device's ceilings that are not a library's kernel, such as a
// STREAM-style triad or an FMA loop on the CPU and a device-to-device copy on a GPU. The largest GEMMs of every GEMM
// backend are probes too, but peak_bench builds them from the GEMM registry itself (peak_suite.cpp).
// A backend folder registers one with DLBENCH_REGISTER_BACKEND(dlbench::PeakBackend, "name", Type).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/backend.hpp"
#include "harness/case.hpp"

namespace dlbench {

struct PeakProbe {
  std::string name;        // "triad", "copy", "fma": the row's label
  std::string precision;   // the element or math type: a peak key (fp64, fp32, ...)
  bool bandwidth = false;  // measures memory bandwidth (the target's memory_gbps), else compute (a peak)
  double flops = 0;        // per call
  double bytes = 0;        // per call, as the probe's convention counts them (STREAM: reads + writes)
  std::string size;        // in words, e.g. "3 x 1024 MiB fp64"
};

class PeakBackend : public Backend {
 public:
  // The probes this backend offers; `bandwidth_bytes` sizes the bandwidth probes' arrays (0: the backend's
  // default, several times the last-level cache).
  virtual std::vector<PeakProbe> probes(std::size_t bandwidth_bytes) const = 0;
  // Allocates, fills with random data, runs one call and verifies it (Prepared::check). Throws Unsupported or
  // any std::exception.
  virtual Prepared prepare(const PeakProbe& probe) = 0;
};

}  // namespace dlbench
