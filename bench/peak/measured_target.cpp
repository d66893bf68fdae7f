#include "peak/measured_target.hpp"

#include <cmath>
#include <map>

#include "common/format.hpp"

namespace dlbench {

std::vector<Target> measured_targets(const std::vector<PeakResult>& results, const std::string& provenance) {
  struct Best {
    double value = -1;
    std::string label;
  };
  struct Device {
    const PeakResult* first = nullptr;
    Best bandwidth;
    std::map<std::string, Best> peaks;
  };
  std::vector<std::string> order;
  std::map<std::string, Device> devices;
  for (const auto& r : results) {
    if (r.device.kind == DeviceKind::unknown || !(r.value > 0)) continue;
    const std::string key = r.device.key();
    auto [it, inserted] = devices.try_emplace(key);
    if (inserted) {
      order.push_back(key);
      it->second.first = &r;
    }
    Best& best = r.bandwidth ? it->second.bandwidth : it->second.peaks[r.peak_key];
    if (r.value > best.value) best = {r.value, r.label};
  }

  std::vector<Target> out;
  for (const auto& key : order) {
    const Device& d = devices.at(key);
    const DeviceIdentity& dev = d.first->device;
    Target t;
    t.id = d.first->target_id;
    t.kind = dev.kind == DeviceKind::gpu ? "gpu" : "cpu";
    t.source = "measured";
    if (dev.kind == DeviceKind::gpu) {
      t.name = dev.name;
      t.match = (dev.pci_id.empty() ? "" : "pci:" + dev.pci_id + "|") + "name:" + dev.name;
      t.units = dev.units;
    } else {
      t.units = dev.threads > 0 ? dev.threads : dev.units;
      t.name = dev.name + ", " + std::to_string(t.units) + (t.units == 1 ? " thread" : " threads");
      t.match = "cpu:" + dev.name;
    }
    if (dev.clock_mhz > 0) t.clock_mhz = dev.clock_mhz;
    if (dev.l2_mb > 0) t.l2_mb = dev.l2_mb;
    std::string cited;
    if (d.bandwidth.value > 0) {
      t.memory_gbps = std::stod(format_significant(d.bandwidth.value));
      cited = "memory " + format_significant(d.bandwidth.value) + " GB/s by " + d.bandwidth.label;
    }
    for (const auto& [peak, best] : d.peaks) {
      t.peaks[peak] = std::stod(format_significant(best.value));
      cited += (cited.empty() ? "" : "; ") + peak + " " + format_significant(best.value) + " by " + best.label;
    }
    t.citation = "measured by peak_bench (" + provenance + "): " + cited;
    t.origin = "peak_bench";
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace dlbench
