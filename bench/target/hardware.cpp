#include "target/hardware.hpp"

#include <sched.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace dlbench {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string DeviceIdentity::key() const {
  return std::to_string(static_cast<int>(kind)) + "|" + name + "|" + pci_id + "|" + std::to_string(units);
}

bool DeviceIdentity::has_isa(const std::string& flag) const {
  return std::find(isa.begin(), isa.end(), flag) != isa.end();
}

std::string DeviceIdentity::describe() const {
  if (kind == DeviceKind::unknown) return name.empty() ? "unknown device" : name;
  std::string s = name + " (";
  if (kind == DeviceKind::gpu) {
    if (!pci_id.empty()) s += pci_id + ", ";
    s += std::to_string(units) + " SMs";
  } else {
    s += std::to_string(units) + (units == 1 ? " core" : " cores");
  }
  if (clock_mhz > 0) s += ", " + fixed(clock_mhz, 0) + " MHz";
  if (!isa.empty()) {
    s += ",";
    for (const auto& f : isa) s += " " + f;
  }
  return s + ")";
}

const std::vector<std::string>& peak_isa_flags() {
  static const std::vector<std::string> flags{"fma",         "avx2",        "avx512f",  "avx512_bf16",
                                              "avx512_fp16", "avx512_vnni", "avx_vnni", "amx_tile",
                                              "amx_bf16",    "amx_int8",    "amx_fp16", "asimd",
                                              "sve"};
  return flags;
}

void parse_cpuinfo(const std::string& text, DeviceIdentity& cpu) {
  std::istringstream in(text);
  std::string line;
  bool have_name = false, have_clock = false, have_flags = false;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    // x86 says "model name", "cpu MHz" and "flags"; arm64 says "Features" (and names no model).
    if (key == "model name" && !have_name) {
      cpu.name = value;
      have_name = true;
    } else if (key == "cpu MHz" && !have_clock) {
      try {
        cpu.clock_mhz = std::stod(value);
        have_clock = true;
      } catch (const std::exception&) {
      }
    } else if ((key == "flags" || key == "Features") && !have_flags) {
      std::istringstream words(value);
      std::string w;
      std::vector<std::string> present;
      while (words >> w) present.push_back(w);
      for (const auto& f : peak_isa_flags())
        if (std::find(present.begin(), present.end(), f) != present.end()) cpu.isa.push_back(f);
      have_flags = true;
    }
  }
  if (cpu.name.empty()) cpu.name = "unknown CPU";
}

double parse_cache_size_mb(const std::string& text) {
  std::istringstream in(text);
  double v = 0;
  std::string unit;
  if (!(in >> v) || v <= 0) return 0;
  // "16384K" and "300 MiB" both leave the unit to read next (the number stops at the letter); none is bytes.
  in >> unit;
  const char u = unit.empty() ? 'B' : static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0])));
  // sysfs's "K" is KiB.
  if (u == 'K') return v * 1024 / 1e6;
  if (u == 'M') return v * 1048576 / 1e6;
  if (u == 'G') return v * 1073741824 / 1e6;
  return v / 1e6;
}

std::string slug(const std::string& text) {
  std::string out;
  std::string t = text;
  // Trade-mark marks say nothing about the part.
  for (const char* mark : {"(R)", "(r)", "(TM)", "(tm)"})
    for (auto at = t.find(mark); at != std::string::npos; at = t.find(mark)) t.erase(at, std::string(mark).size());
  for (unsigned char c : t) {
    if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    } else if (c == '+') {
      out += "plus";
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unknown" : out;
}

DeviceIdentity host_cpu(int threads) {
  static const DeviceIdentity detected = [] {
    DeviceIdentity cpu;
    cpu.kind = DeviceKind::cpu;
    parse_cpuinfo(read_file("/proc/cpuinfo"), cpu);
    cpu_set_t set;
    CPU_ZERO(&set);
    cpu.units = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    // The highest cache level sysfs lists for cpu0.
    for (int index = 4; index >= 0 && cpu.l2_mb == 0; --index)
      cpu.l2_mb = parse_cache_size_mb(
          read_file("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size"));
    std::istringstream mem(read_file("/proc/meminfo"));
    std::string key;
    double kb = 0;
    if (mem >> key >> kb && key == "MemTotal:") cpu.memory_gb = kb * 1024 / 1e9;
    return cpu;
  }();
  DeviceIdentity cpu = detected;
  cpu.threads = threads;
  return cpu;
}

}  // namespace dlbench
