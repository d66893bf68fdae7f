#include "cuda/cuda_kernels.hpp"

#include <algorithm>

#include "common/element_codec.hpp"
#include "cuda/cuda_error.hpp"

namespace dlbench {

namespace {

__device__ inline unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__global__ void hold_stream(StreamSignals* s, unsigned long long timeout_ns) {
  const unsigned long long t0 = global_ns();
  while (s->release == 0) {
    if (global_ns() - t0 > timeout_ns) {
      s->hold_timed_out = 1;
      return;
    }
  }
}

__global__ void clock_probe(StreamSignals* s, unsigned long long spin_ns) {
  const long long c0 = clock64();
  const unsigned long long t0 = global_ns();
  unsigned long long t1 = t0;
  while (t1 - t0 < spin_ns) t1 = global_ns();
  const long long c1 = clock64();
  s->probe_cycles = c1 - c0;
  s->probe_ns = static_cast<long long>(t1 - t0);
}

// Typed stores keep the writes coalesced; element sizes are 1, 2, 4 or 8 bytes.
template <class Word>
__global__ void fill_random_words(Word* data, DataType type, std::size_t count, std::uint64_t seed) {
  const std::size_t stride = std::size_t{gridDim.x} * blockDim.x;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < count; i += stride)
    data[i] = static_cast<Word>(codec::random_element(type, seed, i));
}

template <class Word>
__global__ void fill_words(Word* data, std::size_t count, Word value) {
  const std::size_t stride = std::size_t{gridDim.x} * blockDim.x;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < count; i += stride) data[i] = value;
}

constexpr int kThreads = 256;

unsigned blocks_for(std::size_t count) {
  return static_cast<unsigned>(std::clamp<std::size_t>((count + kThreads - 1) / kThreads, 1, 65536));
}

}  // namespace

cudaError_t harness_kernels_loadable() {
  // Asking for a kernel's attributes loads it. With lazy module loading (the default since CUDA 12.2) a kernel is
  // otherwise loaded at its first launch, which may wait for the device to go idle: behind the holding kernel
  // that wait would last until the hold times out (nvbench hit this, NVIDIA/nvbench#136). So every kernel ever
  // launched behind the hold is loaded here, before any hold.
  cudaFuncAttributes attributes{};
  for (const void* kernel : {reinterpret_cast<const void*>(hold_stream), reinterpret_cast<const void*>(clock_probe)})
    if (const cudaError_t e = cudaFuncGetAttributes(&attributes, kernel); e != cudaSuccess) return e;
  return cudaSuccess;
}

void launch_hold_stream(StreamSignals* signals, double timeout_s, cudaStream_t stream) {
  hold_stream<<<1, 1, 0, stream>>>(signals, static_cast<unsigned long long>(timeout_s * 1e9));
  check_cuda(cudaGetLastError(), "launching the stream-holding kernel");
}

void launch_clock_probe(StreamSignals* signals, double spin_s, cudaStream_t stream) {
  clock_probe<<<1, 1, 0, stream>>>(signals, static_cast<unsigned long long>(spin_s * 1e9));
  check_cuda(cudaGetLastError(), "launching the clock probe");
}

void fill_random_on_device(void* data, DataType type, std::size_t count, std::uint64_t seed, cudaStream_t stream) {
  if (count == 0) return;
  const unsigned blocks = blocks_for(count);
  switch (codec::bytes_of(type)) {
    case 1: fill_random_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint8_t*>(data), type, count, seed); break;
    case 2: fill_random_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint16_t*>(data), type, count, seed); break;
    case 4: fill_random_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint32_t*>(data), type, count, seed); break;
    default: fill_random_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint64_t*>(data), type, count, seed); break;
  }
  check_cuda(cudaGetLastError(), "launching the random-input generator");
}

void fill_bits_on_device(void* data, DataType type, std::size_t count, std::uint64_t bits, cudaStream_t stream) {
  if (count == 0) return;
  const unsigned blocks = blocks_for(count);
  switch (codec::bytes_of(type)) {
    case 1: fill_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint8_t*>(data), count, std::uint8_t(bits)); break;
    case 2: fill_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint16_t*>(data), count, std::uint16_t(bits)); break;
    case 4: fill_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint32_t*>(data), count, std::uint32_t(bits)); break;
    default: fill_words<<<blocks, kThreads, 0, stream>>>(static_cast<std::uint64_t*>(data), count, bits); break;
  }
  check_cuda(cudaGetLastError(), "launching the fill kernel");
}

}  // namespace dlbench
