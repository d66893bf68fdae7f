// The registered NCCL backend. Without a GPU it must say why it is unavailable, and its cases must become skipped
// rows, not crashes. With GPUs, one process drives all of them (ncclCommInitAll) and every type × reduction ×
// placement is checked exactly through the same case the benchmark runs.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include "allreduce/allreduce_case.hpp"
#include "harness/process_group.hpp"

namespace dlbench {
namespace {

int visible_gpus() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

std::shared_ptr<AllReduceBackend> make_nccl(ProcessGroup& group, int gpus) {
  BackendSettings s;
  s.group = &group;
  s.devices_per_process = gpus;
  return Registry<AllReduceBackend>::instance().create("nccl", s);
}

TEST(NcclBackend, IsRegisteredAndNamesItsLibraryWithoutAGpu) {
  ASSERT_TRUE(Registry<AllReduceBackend>::instance().contains("nccl"));
  SingleProcess group;
  const auto nccl = make_nccl(group, 1);
  EXPECT_EQ(nccl->library().rfind("NCCL 2.", 0), 0u) << nccl->library();
  EXPECT_EQ(nccl->buffers(), "device");
  EXPECT_EQ(nccl->ranks(), 1);
}

TEST(NcclBackend, WithoutAGpuItIsUnavailableAndItsCasesAreSkipped) {
  if (visible_gpus() > 0) GTEST_SKIP() << "a GPU is visible";
  SingleProcess group;
  const auto nccl = make_nccl(group, 1);
  const Availability a = nccl->availability();
  EXPECT_FALSE(a.available);
  EXPECT_FALSE(a.reason.empty());
  AllReduceCase c({"allreduce", "nccl", "fp32", "t", "l", "sum"}, {1024, DataType::f32, ReduceOp::sum, false}, nccl,
                  group, 1);
  const Support s = c.support();
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, a.reason);
}

TEST(NcclBackend, AskingForMoreGpusThanVisibleIsUnavailableWithTheFigures) {
  SingleProcess group;
  const int gpus = visible_gpus() + 1;
  const auto nccl = make_nccl(group, gpus);
  EXPECT_FALSE(nccl->availability().available);
  EXPECT_EQ(nccl->ranks(), gpus);
}

TEST(NcclBackend, OnGpusEveryTypeReductionAndPlacementIsExact) {
  const int gpus = visible_gpus();
  if (gpus == 0) GTEST_SKIP() << "no GPU visible: the device part of this test runs on a GPU machine";
  SingleProcess group;
  const auto nccl = make_nccl(group, gpus);
  ASSERT_TRUE(nccl->availability().available) << nccl->availability().reason;
  for (const auto type_name : allreduce_type_names()) {
    for (ReduceOp op : {ReduceOp::sum, ReduceOp::max, ReduceOp::min, ReduceOp::avg}) {
      for (bool inplace : {false, true}) {
        // An odd count: a remainder in every chunking NCCL might use.
        const AllReduceProblem p{100003, *parse_allreduce_type(type_name), op, inplace};
        AllReduceCase c({"allreduce", "nccl", std::string(type_name), "t", p.to_string(), ""}, p, nccl, group, 7);
        SCOPED_TRACE(p.to_string());
        ASSERT_TRUE(c.support().ok) << c.support().reason;
        Prepared prepared = c.prepare();
        ASSERT_TRUE(prepared.verify);
        const Verification v = prepared.verify();
        EXPECT_EQ(v.wrong, 0);
        EXPECT_TRUE(v.passed) << "error " << v.error << ", tolerance " << v.tolerance;
        // Repeated calls (what the timer makes) must keep working.
        for (int i = 0; i < 3; ++i) prepared.op->run();
        ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      }
    }
  }
}

}  // namespace
}  // namespace dlbench
