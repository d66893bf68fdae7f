#include "fma_loop.hpp"

#include <immintrin.h>

#include <cmath>

namespace dlbench::cpu {

namespace {

bool has_avx512() { return __builtin_cpu_supports("avx512f"); }
bool has_avx2_fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

// 16 accumulators in registers (AVX-512 has 32): with two FMA units of 4-cycle latency, 8 would be enough to keep
// both busy; 16 leaves room for cores with longer latency.
__attribute__((target("avx512f"))) void loop_avx512_f32(float* s, std::int64_t n, float a, float b) {
  __m512 x[FmaLoop::kChains];
  for (int i = 0; i < FmaLoop::kChains; ++i) x[i] = _mm512_loadu_ps(s + 16 * i);
  const __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
  for (std::int64_t k = 0; k < n; ++k) {
#pragma GCC unroll 16
    for (int i = 0; i < FmaLoop::kChains; ++i) x[i] = _mm512_fmadd_ps(x[i], va, vb);
  }
  for (int i = 0; i < FmaLoop::kChains; ++i) _mm512_storeu_ps(s + 16 * i, x[i]);
}

__attribute__((target("avx512f"))) void loop_avx512_f64(double* s, std::int64_t n, double a, double b) {
  __m512d x[FmaLoop::kChains];
  for (int i = 0; i < FmaLoop::kChains; ++i) x[i] = _mm512_loadu_pd(s + 8 * i);
  const __m512d va = _mm512_set1_pd(a), vb = _mm512_set1_pd(b);
  for (std::int64_t k = 0; k < n; ++k) {
#pragma GCC unroll 16
    for (int i = 0; i < FmaLoop::kChains; ++i) x[i] = _mm512_fmadd_pd(x[i], va, vb);
  }
  for (int i = 0; i < FmaLoop::kChains; ++i) _mm512_storeu_pd(s + 8 * i, x[i]);
}

// AVX2 has 16 registers: 16 accumulators and the two constants would spill, so the chains run as two passes of 8
// (enough for two FMA units of 4-cycle latency).
__attribute__((target("avx2,fma"))) void loop_avx2_f32(float* s, std::int64_t n, float a, float b) {
  for (int half = 0; half < 2; ++half) {
    __m256 x[8];
    float* p = s + half * 8 * 8;
    for (int i = 0; i < 8; ++i) x[i] = _mm256_loadu_ps(p + 8 * i);
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    for (std::int64_t k = 0; k < n; ++k) {
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) x[i] = _mm256_fmadd_ps(x[i], va, vb);
    }
    for (int i = 0; i < 8; ++i) _mm256_storeu_ps(p + 8 * i, x[i]);
  }
}

__attribute__((target("avx2,fma"))) void loop_avx2_f64(double* s, std::int64_t n, double a, double b) {
  for (int half = 0; half < 2; ++half) {
    __m256d x[8];
    double* p = s + half * 8 * 4;
    for (int i = 0; i < 8; ++i) x[i] = _mm256_loadu_pd(p + 4 * i);
    const __m256d va = _mm256_set1_pd(a), vb = _mm256_set1_pd(b);
    for (std::int64_t k = 0; k < n; ++k) {
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) x[i] = _mm256_fmadd_pd(x[i], va, vb);
    }
    for (int i = 0; i < 8; ++i) _mm256_storeu_pd(p + 4 * i, x[i]);
  }
}

template <class T>
void loop_scalar(T* s, std::int64_t n, T a, T b) {
  for (std::int64_t k = 0; k < n; ++k)
    for (int i = 0; i < FmaLoop::kChains; ++i) s[i] = std::fma(s[i], a, b);
}

}  // namespace

std::string fma_isa() { return has_avx512() ? "avx512f" : has_avx2_fma() ? "avx2+fma" : "scalar"; }

int FmaLoop::lanes(bool fp64) {
  if (has_avx512()) return fp64 ? 8 : 16;
  if (has_avx2_fma()) return fp64 ? 4 : 8;
  return 1;
}

double FmaLoop::flops(bool fp64, int threads, std::int64_t iterations) {
  return 2.0 * kChains * lanes(fp64) * static_cast<double>(iterations) * threads;
}

void fma_loop_f32(float* state, std::int64_t iterations, float a, float b) {
  if (has_avx512()) return loop_avx512_f32(state, iterations, a, b);
  if (has_avx2_fma()) return loop_avx2_f32(state, iterations, a, b);
  loop_scalar(state, iterations, a, b);
}

void fma_loop_f64(double* state, std::int64_t iterations, double a, double b) {
  if (has_avx512()) return loop_avx512_f64(state, iterations, a, b);
  if (has_avx2_fma()) return loop_avx2_f64(state, iterations, a, b);
  loop_scalar(state, iterations, a, b);
}

}  // namespace dlbench::cpu
