#include "target/target_set.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "common/format.hpp"
#include "target/cpu_peaks.hpp"

namespace dlbench {

namespace {

// `over`'s known figures replace `base`'s: a user's spec row for a CPU may add the memory bandwidth the computed
// target lacks, or correct a peak, and keep the rest.
Target overlay(Target base, const Target& over) {
  base.id = over.id;
  base.name = over.name;
  if (over.units > 0) base.units = over.units;
  if (!std::isnan(over.clock_mhz)) base.clock_mhz = over.clock_mhz;
  for (const auto& [key, v] : over.peaks) base.peaks[key] = v;
  if (!std::isnan(over.memory_gbps)) base.memory_gbps = over.memory_gbps;
  if (!std::isnan(over.l2_mb)) base.l2_mb = over.l2_mb;
  if (!std::isnan(over.link_gbps)) base.link_gbps = over.link_gbps;
  base.citation = over.citation + " (figures it leaves empty: " + base.origin + ")";
  base.origin = over.origin + " over " + base.origin;
  return base;
}

// A GPU the table does not know: what the CUDA attributes give (DRAM bandwidth = 2 × memory clock × bus width),
// and no compute peak (the per-SM rates differ by architecture and precision; add a row with --target).
Target derived_gpu_target(const DeviceIdentity& gpu) {
  Target t;
  t.id = "gpu-" + slug(gpu.name);
  t.name = gpu.name;
  t.match = gpu.pci_id.empty() ? "name:" + gpu.name : "pci:" + gpu.pci_id;
  t.kind = "gpu";
  t.source = "spec";
  t.units = gpu.units;
  t.clock_mhz = gpu.clock_mhz > 0 ? gpu.clock_mhz : NAN;
  t.memory_gbps = gpu.memory_gbps > 0 ? gpu.memory_gbps : NAN;
  t.l2_mb = gpu.l2_mb > 0 ? gpu.l2_mb : NAN;
  t.citation = "derived from the CUDA attributes: memory bandwidth = 2 x memory clock x bus width";
  t.origin = "derived from the CUDA attributes";
  return t;
}

std::string summary(const Target& t) {
  std::string s = t.source + " " + t.origin + " (";
  std::string figures;
  for (auto key : peak_keys())
    if (const double v = t.peak(std::string(key)); !std::isnan(v))
      figures += (figures.empty() ? "" : ", ") + std::string(key) + " " + format_number(v);
  s += figures.empty() ? "no compute peaks" : figures + " TFLOP/s";
  s += std::isnan(t.memory_gbps) ? ", memory bandwidth unknown" : ", " + format_number(t.memory_gbps) + " GB/s";
  if (!std::isnan(t.link_gbps)) s += ", link " + format_number(t.link_gbps) + " GB/s";
  return s + ")";
}

}  // namespace

std::string ResolvedTarget::describe() const {
  std::string s;
  if (spec) s += summary(*spec);
  if (measured) s += (s.empty() ? "" : "; ") + summary(*measured);
  return s.empty() ? "no target" : s;
}

TargetSet::TargetSet() {
  targets_ = parse_targets(builtin_specs_text(), "built-in specs.csv");
  sources_.push_back("built-in spec table (bench/target/specs.csv, " + std::to_string(targets_.size()) + " parts)");
}

void TargetSet::add(std::vector<Target> targets) {
  if (!targets.empty()) {
    const std::string origin = targets.front().origin;
    sources_.push_back(origin.substr(0, origin.rfind(':')) + " (" + std::to_string(targets.size()) + " targets)");
  }
  for (auto& t : targets) targets_.push_back(std::move(t));
}

ResolvedTarget TargetSet::resolve(const DeviceIdentity& device) const {
  ResolvedTarget r;
  if (device.kind == DeviceKind::unknown) return r;
  // Spec rows add up: what the machine tells (computed for a CPU, derived from the attributes for a GPU), then
  // each matching row in order, its known figures over the ones before.
  r.spec = device.kind == DeviceKind::cpu ? computed_cpu_target(device) : derived_gpu_target(device);
  for (const auto& t : targets_) {
    if (!t.matches(device)) continue;
    if (t.source == "spec")
      r.spec = overlay(*r.spec, t);
    else
      r.measured = t;  // a measurement is taken whole: the last one wins
  }
  r.id = r.spec->id;
  return r;
}

std::string default_target_dir() {
  if (const char* dir = std::getenv("DLBENCH_TARGET_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/dlbench/targets";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/dlbench/targets";
  return ".dlbench/targets";
}

TargetSet load_target_set(const std::vector<std::string>& files) {
  TargetSet set;
  std::vector<std::string> paths = files;
  if (paths.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(default_target_dir(), ec))
      if (entry.path().extension() == ".csv") paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
  }
  for (const auto& p : paths) set.add(load_targets(p));
  return set;
}

}  // namespace dlbench
