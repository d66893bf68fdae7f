// The FMA loop that measures a CPU core's floating-point peak: independent chains of x = x·a + b, enough of them
// to cover the FMA latency on every unit, in the widest vectors the core has.
//
// With a = 1 and b = 2^-20, starting from x0 in [1, 2), every step is exact while x stays under 4, so after n steps
// each lane holds exactly x0 + n·b: the check proves every iteration ran, not only that the loop converged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dlbench::cpu {

// The instruction set the loop runs with here: "avx512f", "avx2+fma" or "scalar".
std::string fma_isa();

struct FmaLoop {
  static constexpr int kChains = 16;  // vector accumulators per thread
  // Lanes per vector of the chosen ISA for this element size (16 fp32 with AVX-512, ...).
  static int lanes(bool fp64);
  // FLOPs one call does on `threads` threads of `iterations` steps.
  static double flops(bool fp64, int threads, std::int64_t iterations);
};

// Runs the loop on one thread: `state` holds kChains × lanes(fp64) elements, the start values on entry and the
// results on exit. a and b are passed in so the compiler cannot fold the chain.
void fma_loop_f32(float* state, std::int64_t iterations, float a, float b);
void fma_loop_f64(double* state, std::int64_t iterations, double a, double b);

}  // namespace dlbench::cpu
