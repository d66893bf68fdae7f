#include "target/target.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "common/format.hpp"
#include "common/input_error.hpp"
#include "common/shape_table.hpp"
#include "harness/csv_writer.hpp"

namespace dlbench {

std::span<const std::string_view> peak_keys() {
  static constexpr std::array<std::string_view, 7> keys{"fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"};
  return keys;
}

std::string peak_key_of(std::string_view precision) {
  if (precision.rfind("fp8", 0) == 0) return "fp8";
  for (auto k : peak_keys())
    if (k == precision) return std::string(k);
  return "";
}

std::span<const std::string_view> target_columns() {
  static constexpr std::array<std::string_view, 18> cols{
      "id",   "name", "match", "kind", "source", "units", "clock_mhz",   "fp64",      "fp32",
      "tf32", "fp16", "bf16",  "fp8",  "int8",   "memory_gbps", "l2_mb", "link_gbps", "citation"};
  return cols;
}

double Target::peak(const std::string& key) const {
  const auto it = peaks.find(key);
  return it == peaks.end() ? NAN : it->second;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> alternatives(const std::string& match) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(match);
  while (std::getline(in, part, '|'))
    if (!part.empty()) out.push_back(part);
  return out;
}

// A figure: empty is unknown (NaN); otherwise a number >= 0.
double figure(const ShapeRow& row, std::string_view column) {
  if (!row.text(column)) return NAN;
  const double v = row.number(column);
  if (!(v >= 0)) row.fail(column, "must be a number >= 0 (or empty when unknown)");
  return v;
}

}  // namespace

bool Target::matches(const DeviceIdentity& device) const {
  for (const auto& alt : alternatives(match)) {
    const auto colon = alt.find(':');
    const std::string kind_of = alt.substr(0, colon), value = alt.substr(colon + 1);
    // PCI ids compare without case and without a subsystem; names exactly as the driver or the kernel print them.
    if (kind_of == "pci" && device.kind == DeviceKind::gpu && !device.pci_id.empty() &&
        lower(value) == lower(device.pci_id.substr(0, device.pci_id.find('/'))))
      return true;
    if (kind_of == "name" && device.kind == DeviceKind::gpu && value == device.name) return true;
    if (kind_of == "cpu" && device.kind == DeviceKind::cpu && value == device.name) return true;
  }
  return false;
}

std::vector<Target> parse_targets(std::string_view text, const std::string& source) {
  const ShapeTable table = ShapeTable::parse(text, source, "targets", false);
  static const std::vector<std::string_view> required{"id", "match", "kind", "source"};
  std::vector<std::string_view> optional;
  for (auto c : target_columns())
    if (std::find(required.begin(), required.end(), c) == required.end()) optional.push_back(c);
  table.check_columns(required, optional);

  static constexpr std::array<std::string_view, 2> kinds{"gpu", "cpu"};
  static constexpr std::array<std::string_view, 2> sources{"spec", "measured"};
  std::vector<Target> out;
  std::set<std::string> ids;
  for (const ShapeRow& row : table.rows()) {
    Target t;
    t.id = std::string(*row.text("id"));
    if (!ids.insert(t.id).second) row.fail("id", "'" + t.id + "' is given twice in this file");
    t.name = std::string(row.text("name").value_or(t.id));
    t.kind = std::string(kinds[row.choice("kind", kinds)]);
    t.source = std::string(sources[row.choice("source", sources)]);
    t.match = std::string(*row.text("match"));
    for (const auto& alt : alternatives(t.match)) {
      const auto colon = alt.find(':');
      const std::string prefix = colon == std::string::npos ? "" : alt.substr(0, colon);
      if ((prefix != "pci" && prefix != "name" && prefix != "cpu") || colon + 1 >= alt.size())
        row.fail("match", "'" + alt + "' must be pci:<vendor>:<device>, name:<device name> or cpu:<model name>");
      if ((prefix == "cpu") != (t.kind == "cpu"))
        row.fail("match", "'" + alt + "' cannot identify a " + t.kind + " target");
    }
    if (row.text("units")) t.units = static_cast<int>(row.positive_integer("units"));
    t.clock_mhz = figure(row, "clock_mhz");
    for (auto key : peak_keys())
      if (const double v = figure(row, key); !std::isnan(v)) t.peaks[std::string(key)] = v;
    t.memory_gbps = figure(row, "memory_gbps");
    t.l2_mb = figure(row, "l2_mb");
    t.link_gbps = figure(row, "link_gbps");
    t.citation = std::string(row.text("citation").value_or(""));
    t.origin = source + ":" + std::to_string(row.line());
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Target> load_targets(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read the target file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_targets(text.str(), path);
}

std::string format_targets(const std::vector<Target>& targets, const std::string& header) {
  std::ostringstream out;
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) out << "# " << line << "\n";
  std::string head;
  for (auto c : target_columns()) head += (head.empty() ? "" : ",") + std::string(c);
  out << head << "\n";
  const auto num = [](double v) { return std::isnan(v) ? std::string() : format_number(v); };
  for (const auto& t : targets) {
    std::vector<std::string> f{t.id, t.name, t.match, t.kind, t.source, t.units > 0 ? std::to_string(t.units) : "",
                               num(t.clock_mhz)};
    for (auto key : peak_keys()) f.push_back(num(t.peak(std::string(key))));
    f.push_back(num(t.memory_gbps));
    f.push_back(num(t.l2_mb));
    f.push_back(num(t.link_gbps));
    f.push_back(t.citation);
    std::string line;
    for (const auto& field : f) line += (line.empty() ? "" : ",") + csv_escape(field);
    out << line << "\n";
  }
  return out.str();
}

}  // namespace dlbench
