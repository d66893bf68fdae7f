// Host-side helpers of the CUDA engine: why a device is unavailable, versions, PCI ids, the device column.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cuda/cuda_device.hpp"

namespace dlbench {
namespace {

TEST(CudaDevice, UnavailableReasonsNameTheCauseAndTheError) {
  EXPECT_EQ(cuda_unavailable_reason(cudaSuccess, 2, 1), "");
  EXPECT_EQ(cuda_unavailable_reason(cudaSuccess, 0, 0), "no CUDA device on this machine");
  EXPECT_EQ(cuda_unavailable_reason(cudaSuccess, 1, 3), "--device=3 but this machine has 1 CUDA device");
  EXPECT_EQ(cuda_unavailable_reason(cudaSuccess, 4, 4), "--device=4 but this machine has 4 CUDA devices");
  const std::string no_driver = cuda_unavailable_reason(cudaErrorInsufficientDriver, 0, 0);
  EXPECT_EQ(no_driver.rfind("no usable CUDA driver (cudaErrorInsufficientDriver: ", 0), 0u) << no_driver;
  EXPECT_NE(cuda_unavailable_reason(cudaErrorNoDevice, 0, 0).find("no CUDA device"), std::string::npos);
  EXPECT_NE(cuda_unavailable_reason(cudaErrorStubLibrary, 0, 0).find("lib64/stubs"), std::string::npos);
  EXPECT_NE(cuda_unavailable_reason(cudaErrorUnknown, 0, 0).find("cudaErrorUnknown"), std::string::npos);
}

TEST(CudaDevice, VersionStrings) {
  EXPECT_EQ(cuda_version_string(13000), "13.0");
  EXPECT_EQ(cuda_version_string(12080), "12.8");
  EXPECT_EQ(cuda_version_string(11040), "11.4");
}

class FakeSysfs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("dlbench_sysfs_" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "0000:18:00.0");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& file, const std::string& text) {
    std::ofstream(root_ / "0000:18:00.0" / file) << text << "\n";
  }
  std::filesystem::path root_;
};

TEST_F(FakeSysfs, PciIdFromVendorDeviceAndSubsystem) {
  write("vendor", "0x10de");
  write("device", "0x2330");
  EXPECT_EQ(read_pci_id("0000:18:00.0", root_.string()), "10de:2330");
  write("subsystem_vendor", "0x10DE");
  write("subsystem_device", "0x16c1");
  EXPECT_EQ(read_pci_id("0000:18:00.0", root_.string()), "10de:2330/10de:16c1");
  // The runtime's form: 8-digit domain, upper case.
  EXPECT_EQ(read_pci_id("00000000:18:00.0", root_.string()), "10de:2330/10de:16c1");
  EXPECT_EQ(read_pci_id("0000:19:00.0", root_.string()), "");  // no such device: unknown, not an error
}

TEST_F(FakeSysfs, DriverVersionFromProc) {
  write("version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:48 UTC 2025");
  EXPECT_EQ(read_nvidia_driver_version((root_ / "0000:18:00.0" / "version").string()), "580.65.06");
  write("version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  575.51.03  Release Build");
  EXPECT_EQ(read_nvidia_driver_version((root_ / "0000:18:00.0" / "version").string()), "575.51.03");
  write("version", "something else entirely");
  EXPECT_EQ(read_nvidia_driver_version((root_ / "0000:18:00.0" / "version").string()), "");
  EXPECT_EQ(read_nvidia_driver_version((root_ / "missing").string()), "");
}

TEST_F(FakeSysfs, GarbageIsUnknown) {
  write("vendor", "not hex");
  write("device", "0x2330");
  EXPECT_EQ(read_pci_id("0000:18:00.0", root_.string()), "");
}

CudaDeviceInfo h100() {
  CudaDeviceInfo d;
  d.name = "NVIDIA H100 80GB HBM3";
  d.cc_major = 9;
  d.sm_count = 132;
  d.memory_bytes = 85'031'714'816;
  d.l2_bytes = 50 << 20;
  d.rated_sm_clock_hz = 1980e6;
  d.memory_clock_hz = 2619e6;
  d.memory_bus_bits = 5120;
  d.pci_id = "10de:2330/10de:16c1";
  d.pci_bus_id = "00000000:18:00.0";
  d.driver_version = 13000;
  d.nvidia_driver = "580.65.06";
  d.runtime_version = 13000;
  return d;
}

TEST(CudaDevice, DescribeIsOneLineWithTheFactsThatIdentifyThePart) {
  EXPECT_EQ(describe(h100()), "NVIDIA H100 80GB HBM3 (10de:2330, sm_90, 132 SMs, 79.2 GiB, L2 50 MiB, 1980 MHz)");
  CudaDeviceInfo no_pci = h100();
  no_pci.pci_id.clear();
  EXPECT_EQ(describe(no_pci).find("10de"), std::string::npos);
}

TEST(CudaDevice, ContextHasEveryStaticFact) {
  const auto ctx = context_of(h100());
  auto value = [&](const std::string& key) {
    for (const auto& [k, v] : ctx)
      if (k == key) return v;
    ADD_FAILURE() << "no context key " << key;
    return std::string();
  };
  EXPECT_EQ(value("pci_id"), "10de:2330/10de:16c1");
  EXPECT_EQ(value("sm_count"), "132");
  EXPECT_EQ(value("l2_mib"), "50.0");
  EXPECT_EQ(value("rated_sm_clock_mhz"), "1980");
  EXPECT_EQ(value("compute_capability"), "9.0");
  EXPECT_EQ(value("driver"), "580.65.06 (CUDA 13.0)");
  // 2 × 2619 MHz × 5120 bits / 8 = 3352 GB/s: the H100 SXM5's 3.35 TB/s.
  EXPECT_EQ(value("memory_bandwidth_gbps"), "3352.3");
}

}  // namespace
}  // namespace dlbench
