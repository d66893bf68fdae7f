#include "target/cpu_peaks.hpp"

#include "common/format.hpp"

namespace dlbench {

double cpu_flops_per_cycle(const DeviceIdentity& cpu, const std::string& key) {
  const auto has = [&](const char* f) { return cpu.has_isa(f); };
  // Two FMA units per core (Xeon Platinum/Gold and every recent desktop core; some Xeon Silver/Bronze have one),
  // each an add and a multiply per lane: AVX-512 has 16 fp32 / 8 fp64 lanes, AVX2 8 / 4.
  // AMX: Intel's Sapphire Rapids figures, 1024 bf16/fp16 and 2048 int8 operations per cycle per core. VNNI and
  // AVX512-BF16/FP16 dot products do two multiply-adds per 32-bit lane, on both FMA units.
  if (key == "fp64") return has("avx512f") ? 32 : has("fma") ? 16 : has("asimd") ? 8 : 4;
  if (key == "fp32") return has("avx512f") ? 64 : has("fma") ? 32 : has("asimd") ? 16 : 8;
  if (key == "bf16") return has("amx_bf16") ? 1024 : has("avx512_bf16") ? 128 : 0;
  if (key == "fp16") return has("amx_fp16") ? 1024 : has("avx512_fp16") ? 128 : 0;
  if (key == "int8") return has("amx_int8") ? 2048 : has("avx512_vnni") ? 256 : has("avx_vnni") ? 128 : 0;
  return 0;
}

Target computed_cpu_target(const DeviceIdentity& cpu) {
  Target t;
  t.id = "cpu-" + slug(cpu.name) + "-" + std::to_string(cpu.units) + "c";
  t.name = cpu.name + ", " + std::to_string(cpu.units) + (cpu.units == 1 ? " core" : " cores");
  t.match = "cpu:" + cpu.name;
  t.kind = "cpu";
  t.source = "spec";
  t.units = cpu.units;
  t.clock_mhz = cpu.clock_mhz > 0 ? cpu.clock_mhz : NAN;
  t.l2_mb = cpu.l2_mb > 0 ? cpu.l2_mb : NAN;
  std::string how;
  if (cpu.clock_mhz > 0) {
    for (auto key : peak_keys()) {
      const double per_cycle = cpu_flops_per_cycle(cpu, std::string(key));
      if (per_cycle <= 0) continue;
      t.peaks[std::string(key)] = cpu.units * cpu.clock_mhz * 1e6 * per_cycle / 1e12;
      how += (how.empty() ? "" : ", ") + std::string(key) + " " + format_number(per_cycle);
    }
  }
  t.citation = "computed: " + std::to_string(cpu.units) + " cores x " + format_number(cpu.clock_mhz) +
               " MHz (nominal, /proc/cpuinfo) x FLOP/cycle/core (" + (how.empty() ? "clock unknown" : how) +
               "; two FMA units assumed; turbo can exceed the nominal clock: peak_bench measures it); memory "
               "bandwidth unknown (not in CPUID)";
  t.origin = "computed from /proc/cpuinfo";
  return t;
}

}  // namespace dlbench
