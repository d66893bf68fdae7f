// A CPU's spec target, computed: cores × clock × FLOP per cycle per core of the widest units its ISA flags show.
// CPUID tells neither how many FMA units a core has nor the clock it sustains under wide vectors, so the figure
// assumes two FMA units and the nominal clock, and says so; peak_bench's FMA loop measures what the part really
// does (MEASURE.md §4). Memory bandwidth is not in CPUID either: it is left unknown here.
#pragma once

#include <string>

#include "target/hardware.hpp"
#include "target/target.hpp"

namespace dlbench {

// FLOP per cycle per core for a peak key (fp64, fp32, bf16, fp16, int8), from the ISA flags; 0 when the core has
// no unit for it (tf32 and fp8 on every CPU so far).
double cpu_flops_per_cycle(const DeviceIdentity& cpu, const std::string& key);

// The computed spec target of `cpu` (units = its cores, clock = its nominal clock). The citation says how each
// figure was computed.
Target computed_cpu_target(const DeviceIdentity& cpu);

}  // namespace dlbench
