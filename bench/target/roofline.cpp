#include "target/roofline.hpp"

#include <algorithm>
#include <cstdio>

#include "common/format.hpp"

namespace dlbench {

const std::vector<std::string>& roofline_column_names() {
  static const std::vector<std::string> cols{"target",           "peak_source",      "peak_tflops",
                                             "peak_gbps",        "ridge",            "bound",
                                             "roof_tflops",      "roofline_pct",     "spec_peak_tflops",
                                             "spec_peak_gbps",   "spec_roof_tflops", "spec_roofline_pct",
                                             "above_roof"};
  return cols;
}

Roof roof_of(const Target& target, const RoofQuery& query, const DeviceIdentity& device) {
  Roof roof;
  if (query.link) {
    roof.gbps = target.link_gbps;
    if (std::isnan(roof.gbps) && query.link_is_host_memory && target.kind == "cpu") roof.gbps = target.memory_gbps;
    return roof;
  }
  roof.gbps = target.memory_gbps;
  roof.tflops = query.peak.empty() ? NAN : target.peak(query.peak);
  // A CPU row on fewer threads than the target has cores gets that share of the compute peak. Bandwidth is not
  // scaled: a few cores can draw much of a socket's bandwidth, and how much is not known without measuring.
  if (target.kind == "cpu" && device.threads > 0 && target.units > 0 && device.threads < target.units)
    roof.tflops *= static_cast<double>(device.threads) / target.units;
  return roof;
}

RoofPosition place(const Roof& roof, const RoofQuery& query, double intensity, double tflops, double gbps) {
  RoofPosition p;
  if (query.link) {
    if (!(roof.gbps > 0)) return p;
    p.placed = true;
    p.bound = "link";
    if (!std::isnan(gbps) && query.link_factor > 0) p.pct = 100 * gbps * query.link_factor / roof.gbps;
    return p;
  }
  if (!(roof.gbps > 0) || !(roof.tflops > 0) || std::isnan(intensity)) return p;
  p.placed = true;
  p.ridge = roof.tflops * 1e12 / (roof.gbps * 1e9);
  const bool compute = intensity >= p.ridge;
  p.bound = compute ? "compute" : "memory";
  p.roof_tflops = compute ? roof.tflops : intensity * roof.gbps / 1e3;
  if (compute && !std::isnan(tflops)) p.pct = 100 * tflops / p.roof_tflops;
  if (!compute && !std::isnan(gbps)) p.pct = 100 * gbps / roof.gbps;
  return p;
}

RooflineColumns roofline_columns(const ResolvedTarget& target, const RoofQuery& query, const DeviceIdentity& device,
                                 double intensity, double tflops, double gbps) {
  RooflineColumns out;
  CsvRow& row = out.columns;
  row.emplace_back("target", target.id);
  if (!target.spec) return out;

  const Roof spec_roof = roof_of(*target.spec, query, device);
  const RoofPosition spec = place(spec_roof, query, intensity, tflops, gbps);
  std::optional<Roof> measured_roof;
  RoofPosition measured;
  if (target.measured) {
    measured_roof = roof_of(*target.measured, query, device);
    measured = place(*measured_roof, query, intensity, tflops, gbps);
  }
  // The headline roof is the measured one wherever it has every figure the row needs: it is what the part was
  // seen to reach; the spec roof stays beside it for comparing parts.
  const bool use_measured = measured.placed;
  const RoofPosition& head = use_measured ? measured : spec;
  const Roof& head_roof = use_measured ? *measured_roof : spec_roof;
  if (head.placed) {
    row.emplace_back("peak_source", use_measured ? "measured" : "spec");
    row.emplace_back("peak_tflops", query.link ? "" : format_significant(head_roof.tflops));
    row.emplace_back("peak_gbps", format_significant(head_roof.gbps));
    row.emplace_back("ridge", format_significant(head.ridge));
    row.emplace_back("bound", head.bound);
    row.emplace_back("roof_tflops", format_significant(head.roof_tflops));
    row.emplace_back("roofline_pct", format_significant(head.pct));
    out.pct = head.pct;
  }
  row.emplace_back("spec_peak_tflops", query.link ? "" : format_significant(spec_roof.tflops));
  row.emplace_back("spec_peak_gbps", format_significant(spec_roof.gbps));
  if (spec.placed) {
    row.emplace_back("spec_roof_tflops", format_significant(spec.roof_tflops));
    row.emplace_back("spec_roofline_pct", format_significant(spec.pct));
  }

  std::vector<std::string> above, remarks;
  const auto check = [&](const RoofPosition& p, const char* which) {
    if (p.pct > 100) {
      above.emplace_back(which);
      remarks.push_back(std::string("above the ") + which + " roof (" + format_significant(p.pct) +
                        " %): a peak too low, operands served from cache, or an algorithm doing fewer FLOPs than "
                        "the direct count");
    }
  };
  check(spec, "spec");
  check(measured, "measured");
  std::string flag;
  for (const auto& a : above) flag += (flag.empty() ? "" : "+") + a;
  row.emplace_back("above_roof", flag);

  if (!head.placed && !std::isnan(tflops)) {
    const Target& t = *target.spec;
    if (query.link)
      remarks.push_back("no link roof: the link bandwidth of " + target.id + " is unknown");
    else if (std::isnan(spec_roof.tflops))
      remarks.push_back("no roof: " + target.id + " lists no " + (query.peak.empty() ? "compute" : query.peak) +
                        " peak");
    else if (std::isnan(t.memory_gbps))
      remarks.push_back("no roof: the memory bandwidth of " + target.id + " is unknown (run peak_bench)");
  }
  for (const auto& r : remarks) out.remarks += (out.remarks.empty() ? "" : "; ") + r;
  return out;
}

}  // namespace dlbench
