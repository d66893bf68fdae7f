#include "common/host_buffer.hpp"

#include <cstring>
#include <limits>

namespace dlbench {

HostBuffer::HostBuffer(DataType type, std::size_t count)
    : type_(type), count_(count), storage_(count * size_of(type)) {}

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t hash64(const void* data, std::size_t size, std::uint64_t seed) {
  std::uint64_t h = seed;
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

void fill_random(HostBuffer& buffer, std::uint64_t seed) {
  Rng rng(seed);
  const DataType t = buffer.type();
  if (is_integer(t)) {
    // Integer inputs span the whole int8 range: saturation and sign-handling bugs only show on large magnitudes.
    const double lo = t == DataType::s8 ? -128.0 : -1024.0;
    const double span = t == DataType::s8 ? 256.0 : 2049.0;
    for (std::size_t i = 0; i < buffer.count(); ++i) buffer.set(i, lo + static_cast<double>(rng.below(span)));
    return;
  }
  for (std::size_t i = 0; i < buffer.count(); ++i) buffer.set(i, rng.uniform() * 2.0 - 1.0);
}

void fill_poison(HostBuffer& buffer) {
  const double poison = is_integer(buffer.type()) ? static_cast<double>(std::numeric_limits<std::int32_t>::min())
                                                  : std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < buffer.count(); ++i) buffer.set(i, poison);
}

}  // namespace dlbench
