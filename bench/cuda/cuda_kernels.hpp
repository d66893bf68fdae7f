// The harness's own device kernels, launched from host code: the stream-holding kernel and the clock probe that
// the timer uses, and the input generator that device backends use. Defined in cuda_kernels.cu.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "common/dtype.hpp"

namespace dlbench {

// Written by the device into mapped host memory (device_buffer.hpp): the host reads it after synchronising.
struct StreamSignals {
  volatile int release = 0;  // the host sets it to 1 once every launch of a sample is queued
  int hold_timed_out = 0;    // the hold kernel gave up waiting (the host was slower than its timeout)
  long long probe_cycles = 0;
  long long probe_ns = 0;
};

// Holds `stream` until signals->release becomes non-zero or `timeout_s` passes, so that the launches of a sample
// queue up behind it and host launch latency never falls between the sample's events (nvbench's method).
void launch_hold_stream(StreamSignals* signals_on_device, double timeout_s, cudaStream_t stream);

// Loads the harness's own kernels on the current device and says whether this build's device code can run there
// (cudaErrorNoKernelImageForDevice when the device's architecture is not among those compiled for and no PTX
// covers it).
cudaError_t harness_kernels_loadable();

// One thread spins for `spin_s` on the global timer and counts SM cycles meanwhile: cycles / ns is the SM clock.
void launch_clock_probe(StreamSignals* signals_on_device, double spin_s, cudaStream_t stream);

// Element i of `data` becomes codec::random_element(type, seed, i): the same bits fill_random() gives the host.
void fill_random_on_device(void* data, DataType type, std::size_t count, std::uint64_t seed, cudaStream_t stream);
// Every element becomes `bits` (an encoded element, e.g. codec::poison_element(type)).
void fill_bits_on_device(void* data, DataType type, std::size_t count, std::uint64_t bits, cudaStream_t stream);

}  // namespace dlbench
