#include "common/host_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/element_codec.hpp"

namespace dlbench {

HostBuffer::HostBuffer(DataType type, std::size_t count)
    : type_(type), count_(count), storage_(count * size_of(type)) {}

HostBuffer HostBuffer::generated(DataType type, std::size_t count, std::uint64_t seed) {
  HostBuffer b;
  b.type_ = type;
  b.count_ = count;
  b.generated_ = true;
  b.seed_ = seed;
  return b;
}

void* HostBuffer::data() {
  if (generated_) throw std::logic_error("HostBuffer::data(): a generated buffer has no storage");
  return storage_.data();
}

const void* HostBuffer::data() const {
  if (generated_) throw std::logic_error("HostBuffer::data(): a generated buffer has no storage");
  return storage_.data();
}

double HostBuffer::get(std::size_t i) const {
  if (!generated_) return load(type_, storage_.data(), i);
  const std::uint64_t bits = codec::random_element(type_, seed_, i);  // little-endian: the low bytes are the element
  return load(type_, &bits, 0);
}

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
  // Element i depends on (seed, i) alone, so chunks fill in parallel: a GPU case's operands run to gigabytes, and
  // the host copy for the reference should not take longer than the benchmark.
  const std::size_t n = buffer.count();
  const DataType t = buffer.type();
  void* data = buffer.data();
  const auto fill_words = [&]<class Word>(Word* words, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) words[i] = static_cast<Word>(codec::random_element(t, seed, i));
  };
  // Typed stores (little-endian: an encoded element is the low bytes of its bits, as store_bits writes it).
  const auto fill = [&](std::size_t begin, std::size_t end) {
    switch (size_of(t)) {
      case 1: return fill_words(static_cast<std::uint8_t*>(data), begin, end);
      case 2: return fill_words(static_cast<std::uint16_t*>(data), begin, end);
      case 4: return fill_words(static_cast<std::uint32_t*>(data), begin, end);
      default: return fill_words(static_cast<std::uint64_t*>(data), begin, end);
    }
  };
  constexpr std::size_t kPerThread = std::size_t{1} << 20;
  const std::size_t threads = std::clamp<std::size_t>(n / kPerThread, 1, std::max(1u, std::thread::hardware_concurrency()));
  if (threads == 1) return fill(0, n);
  std::vector<std::thread> pool;
  const std::size_t chunk = (n + threads - 1) / threads;
  for (std::size_t begin = 0; begin < n; begin += chunk) pool.emplace_back(fill, begin, std::min(n, begin + chunk));
  for (auto& th : pool) th.join();
}

void fill_poison(HostBuffer& buffer) {
  const std::uint64_t bits = codec::poison_element(buffer.type());
  for (std::size_t i = 0; i < buffer.count(); ++i) store_bits(buffer.type(), buffer.data(), i, bits);
}

}  // namespace dlbench
