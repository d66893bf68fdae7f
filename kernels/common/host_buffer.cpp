#include "common/host_buffer.hpp"

#include <cstring>

#include "common/element_codec.hpp"

namespace dlbench {

HostBuffer::HostBuffer(DataType type, std::size_t count)
    : type_(type), count_(count), storage_(count * size_of(type)) {}

std::uint64_t Rng::next() { return codec::splitmix64_at(seed_, drawn_++); }

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
  for (std::size_t i = 0; i < buffer.count(); ++i)
    store_bits(buffer.type(), buffer.data(), i, codec::random_element(buffer.type(), seed, i));
}

void fill_poison(HostBuffer& buffer) {
  const std::uint64_t bits = codec::poison_element(buffer.type());
  for (std::size_t i = 0; i < buffer.count(); ++i) store_bits(buffer.type(), buffer.data(), i, bits);
}

}  // namespace dlbench
