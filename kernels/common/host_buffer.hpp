// A typed host buffer holding raw element bits, plus the random fills every benchmark input uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/dtype.hpp"

namespace dlbench {

class HostBuffer {
 public:
  HostBuffer() = default;
  HostBuffer(DataType type, std::size_t count);

  // A buffer with no storage whose element i is generated on each read: what fill_random(seed) would have written.
  // For operands that a device backend generates on its device and the host reads only a sample of (the sampled
  // check), so that gigabytes of inputs are never materialised on the host.
  static HostBuffer generated(DataType type, std::size_t count, std::uint64_t seed);

  DataType type() const { return type_; }
  std::size_t count() const { return count_; }
  std::size_t bytes() const { return count_ * size_of(type_); }
  bool is_generated() const { return generated_; }
  // The raw elements; a generated buffer has none, and asking is a programming error (std::logic_error).
  void* data();
  const void* data() const;

  double get(std::size_t i) const;
  void set(std::size_t i, double v) { store(type_, data(), i, v); }

 private:
  DataType type_ = DataType::f32;
  std::size_t count_ = 0;
  std::vector<std::byte> storage_;
  bool generated_ = false;
  std::uint64_t seed_ = 0;
};

// Fills element i with codec::random_element(type, seed, i) (element_codec.hpp): uniform in [-1, 1) rounded to the
// type, or a wide integer range. A device backend may generate the same values on the device from the same seed
// instead of copying them. Zeros and constants are avoided on purpose: they make some hardware run faster than on
// real data and hide indexing bugs.
void fill_random(HostBuffer& buffer, std::uint64_t seed);

// Writes a value no correct kernel produces (NaN, or INT32_MIN for integers) so unwritten outputs fail verification.
void fill_poison(HostBuffer& buffer);

// SplitMix64: a small, fast generator whose streams are reproducible from a seed on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : seed_(seed) {}
  std::uint64_t next();
  double uniform();  // [0, 1)
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t seed_, drawn_ = 0;
};

// A stable 64-bit hash of text (FNV-1a), used to give each case its own reproducible seed.
std::uint64_t hash64(const void* data, std::size_t size, std::uint64_t seed = 1469598103934665603ull);

}  // namespace dlbench
