#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "harness/operation.hpp"

namespace dlbench {

std::string_view to_string(CacheMode mode) { return mode == CacheMode::cold ? "cold" : "hot"; }

std::optional<CacheMode> parse_cache_mode(std::string_view text) {
  if (text == "cold") return CacheMode::cold;
  if (text == "hot") return CacheMode::hot;
  return std::nullopt;
}

double HostTimer::cache_bytes() const {
  // glibc answers from CPUID; 0 where it cannot (some VMs, other architectures).
  const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return static_cast<double>(std::max({l3, l2, 0L}));
}

namespace {

// Evicts the operands by streaming through a buffer of twice the last-level cache (at least 64 MiB when the size
// is unknown): with LRU-like replacement nothing read before survives it.
void flush_host_caches(double cache_bytes) {
  static std::vector<std::uint64_t> buffer;
  const std::size_t bytes = static_cast<std::size_t>(std::max(2 * cache_bytes, 64.0 * (1 << 20)));
  if (buffer.size() * sizeof(std::uint64_t) < bytes) buffer.assign(bytes / sizeof(std::uint64_t), 0);
  volatile std::uint64_t* p = buffer.data();
  for (std::size_t i = 0; i < buffer.size(); i += 8) p[i] = p[i] + 1;  // one write per 64-byte line
}

}  // namespace

SampleTime HostTimer::time(Operation& op, int runs, CacheMode mode) {
  op.before_call();
  if (mode == CacheMode::cold) flush_host_caches(cache_bytes());
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < runs; ++r) op.run();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0};
}

}  // namespace dlbench
