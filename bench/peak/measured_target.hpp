// Turns peak_bench's results into measured targets: per device, the best bandwidth probe becomes memory_gbps and
// the best compute probe of each precision its peak. A later run places its rows under these ceilings.
#pragma once

#include <string>
#include <vector>

#include "target/hardware.hpp"
#include "target/target.hpp"

namespace dlbench {

// One ok row of peak_bench.
struct PeakResult {
  DeviceIdentity device;
  std::string target_id;  // the id the device resolves to (the spec row's), kept for the measured target
  std::string label;      // the case's name, cited as where the figure came from
  std::string peak_key;   // for compute probes
  bool bandwidth = false;
  double value = 0;       // GB/s for bandwidth probes, TFLOP/s for compute probes
};

// One measured target per device that has at least one result, in the order devices first appear. A CPU's
// measured units are the threads the probes ran on, so a row on fewer threads gets its share of the peak.
// `provenance` (host, date) goes into every citation.
std::vector<Target> measured_targets(const std::vector<PeakResult>& results, const std::string& provenance);

}  // namespace dlbench
