// The placement rules of the backends whose ranks are GPUs, without a GPU: which devices a process drives, and the
// duplicate check that must stop two ranks on one GPU before NCCL (or a CUDA-aware MPI) does.
#include <gtest/gtest.h>

#include "cuda/device_placement.hpp"

namespace dlbench {
namespace {

TEST(DevicePlacement, UnderALauncherEachRankTakesTheDeviceOfItsLocalRank) {
  for (int local = 0; local < 4; ++local) {
    const DeviceChoice c = choose_devices(8, local, 4, "a", 4, 0, 1);
    ASSERT_TRUE(c.error.empty()) << c.error;
    EXPECT_EQ(c.devices, std::vector<int>{local});
  }
  // --device offsets the choice (two jobs sharing an 8-GPU host).
  EXPECT_EQ(choose_devices(8, 1, 4, "a", 8, 4, 1).devices, std::vector<int>{5});
}

TEST(DevicePlacement, MoreRanksPerHostThanDevicesIsRefusedWithTheFigures) {
  const DeviceChoice c = choose_devices(4, 2, 4, "node7", 2, 0, 1);
  EXPECT_TRUE(c.devices.empty());
  EXPECT_NE(c.error.find("node7"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("2 devices are visible"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("at most 2 ranks per host"), std::string::npos) << c.error;
}

TEST(DevicePlacement, SeveralGpusPerProcessOnlyWithoutALauncher) {
  EXPECT_EQ(choose_devices(1, 0, 1, "a", 4, 0, 4).devices, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(choose_devices(1, 0, 1, "a", 4, 2, 2).devices, (std::vector<int>{2, 3}));
  const DeviceChoice too_many = choose_devices(1, 0, 1, "a", 2, 0, 4);
  EXPECT_TRUE(too_many.devices.empty());
  EXPECT_NE(too_many.error.find("needs devices 0..3"), std::string::npos) << too_many.error;
  const DeviceChoice launched = choose_devices(2, 0, 2, "a", 8, 0, 2);
  EXPECT_TRUE(launched.devices.empty());
  EXPECT_NE(launched.error.find("--gpus=2"), std::string::npos) << launched.error;
}

TEST(DevicePlacement, TwoRanksOnOnePhysicalGpuAreNamed) {
  // CUDA_VISIBLE_DEVICES can give two ranks the same card under different indices: the bus id tells.
  const std::vector<RankDevice> all{{0, "a", 0, "0000:18:00.0"},
                                    {1, "a", 1, "0000:2a:00.0"},
                                    {2, "a", 0, "0000:2a:00.0"},
                                    {3, "b", 0, "0000:18:00.0"}};
  const std::string d = duplicate_devices(all);
  EXPECT_NE(d.find("ranks 1 and 2"), std::string::npos) << d;
  EXPECT_NE(d.find("0000:2a:00.0"), std::string::npos) << d;
  EXPECT_NE(d.find("host a"), std::string::npos) << d;
  // The same bus id on two hosts is two cards.
  EXPECT_EQ(duplicate_devices({all[0], all[1], all[3]}), "");
}

TEST(DevicePlacement, TheRankMapSurvivesTheGatherAndReadsWell) {
  const std::vector<RankDevice> mine{{4, "node-b.cluster", 0, "0000:18:00.0"}, {5, "node-b.cluster", 1, "0000:2a:00.0"}};
  const auto back = decode_rank_devices(encode_rank_devices(mine));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].rank, 5);
  EXPECT_EQ(back[1].host, "node-b.cluster");
  EXPECT_EQ(back[1].device, 1);
  EXPECT_EQ(back[1].pci_bus_id, "0000:2a:00.0");
  EXPECT_EQ(describe_map(mine), "rank 4: node-b.cluster GPU 0 (0000:18:00.0); rank 5: node-b.cluster GPU 1 (0000:2a:00.0)");
  EXPECT_TRUE(decode_rank_devices("").empty());
}

}  // namespace
}  // namespace dlbench
