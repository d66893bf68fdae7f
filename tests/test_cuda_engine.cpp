// The CUDA measurement engine on a device: input generation equal to the host's bit for bit, and event timing
// of a kernel of known length in both cache modes. Without a usable device each test skips, saying why, and the
// unavailable path itself is checked.
#include <gtest/gtest.h>

#include <cstring>

#include "common/element_codec.hpp"
#include "common/host_buffer.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_kernels.hpp"
#include "cuda/cuda_timer.hpp"
#include "cuda/device_buffer.hpp"

namespace dlbench {
namespace {

#define REQUIRE_DEVICE()                                                                  \
  do {                                                                                    \
    const CudaDevice& d = cuda_device(0);                                                 \
    if (!d.availability.available) GTEST_SKIP() << "no usable GPU: " << d.availability.reason; \
  } while (0)

TEST(CudaEngine, UnavailableDeviceSaysWhyAndRefusesToTime) {
  const CudaDevice& d = cuda_device(0);
  if (d.availability.available) {
    EXPECT_FALSE(d.info.name.empty());
    EXPECT_GT(d.info.l2_bytes, 0);
    EXPECT_GT(d.info.rated_sm_clock_hz, 0);
    GTEST_SKIP() << "a GPU is present: " << describe(d.info);
  }
  EXPECT_FALSE(d.availability.reason.empty());
  EXPECT_THROW(make_cuda_timer(nullptr, 0), std::runtime_error);
  // An index past the devices present is its own reason.
  EXPECT_FALSE(cuda_device(7).availability.available);
}

TEST(CudaEngine, DeviceGeneratorMatchesHostBitForBit) {
  REQUIRE_DEVICE();
  const std::size_t n = 100'003;  // not a multiple of any block size
  for (DataType t : {DataType::f64, DataType::f32, DataType::f16, DataType::bf16, DataType::f8_e4m3,
                     DataType::f8_e5m2, DataType::s8, DataType::s32}) {
    SCOPED_TRACE(std::string(to_string(t)));
    HostBuffer host(t, n), back(t, n), poison(t, n);
    fill_random(host, 42);
    DeviceBuffer dev(host.bytes());
    fill_random_on_device(dev.get(), t, n, 42, nullptr);
    check_cuda(cudaMemcpy(back.data(), dev.get(), back.bytes(), cudaMemcpyDeviceToHost), "copy back");
    EXPECT_EQ(std::memcmp(host.data(), back.data(), host.bytes()), 0);

    fill_poison(poison);
    fill_bits_on_device(dev.get(), t, n, codec::poison_element(t), nullptr);
    check_cuda(cudaMemcpy(back.data(), dev.get(), back.bytes(), cudaMemcpyDeviceToHost), "copy back");
    EXPECT_EQ(std::memcmp(poison.data(), back.data(), poison.bytes()), 0);
  }
}

// The clock probe spinning for a fixed time is a kernel whose length is known in advance.
struct SpinOp final : Operation {
  cudaStream_t stream = nullptr;
  MappedHost<StreamSignals> signals;
  double spin_s = 200e-6;
  void run() override { launch_clock_probe(signals.device(), spin_s, stream); }
};

TEST(CudaEngine, EventTimesOfAKnownKernelInBothModes) {
  REQUIRE_DEVICE();
  check_cuda(cudaSetDevice(0), "cudaSetDevice");
  SpinOp op;
  check_cuda(cudaStreamCreateWithFlags(&op.stream, cudaStreamNonBlocking), "stream");
  {
    CudaTimer timer(op.stream, cuda_device(0).info);
    EXPECT_EQ(timer.default_mode(), CacheMode::cold);
    timer.time(op, 1, CacheMode::cold);
    const SampleTime cold = timer.time(op, 1, CacheMode::cold);
    EXPECT_NEAR(cold.seconds, 200e-6, 20e-6);
    const SampleTime hot = timer.time(op, 10, CacheMode::hot);  // one graph of 10 launches
    EXPECT_NEAR(hot.seconds, 2e-3, 0.2e-3);
    const double rated = cuda_device(0).info.rated_sm_clock_hz;
    EXPECT_GT(cold.clock_hz, 0.2 * rated);
    EXPECT_LT(cold.clock_hz, 1.2 * rated);
    EXPECT_EQ(timer.notes(), "");
  }
  cudaStreamDestroy(op.stream);
}

}  // namespace
}  // namespace dlbench
