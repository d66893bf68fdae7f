// allreduce_bench's suite: tables, a --sweep or --problem strings × backends × types × reductions × placements
// (out of place, in place), backend outermost. Every rank builds the same cases from the tables rank 0 read.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "allreduce/allreduce_backend.hpp"
#include "harness/suite.hpp"
#include "harness/suite_support.hpp"

namespace dlbench {

class AllReduceSuite final : public Suite {
 public:
  std::string kernel() const override { return "allreduce"; }
  void add_flags(FlagSet& flags) override;
  std::vector<std::string> columns() const override;
  // algbw, busbw and the wrong count: what nccl-tests users read first.
  std::vector<ConsoleColumn> console_columns() const override;
  std::vector<std::unique_ptr<Case>> build(const CommonOptions& options) override;
  std::vector<BackendInfo> backends() const override;

 private:
  std::vector<std::string> ops_;
  std::string inplace_ = "both";
  std::string sweep_;
  int gpus_ = 1;
  BackendSet<AllReduceBackend> backends_;
};

}  // namespace dlbench
