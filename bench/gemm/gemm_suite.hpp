// gemm_bench's suite: tables or --problem strings × backends × precisions × B layouts, in that nesting order
// reversed (backend outermost), so a run reads backend by backend and precision by precision.
#pragma once

#include <memory>

#include "gemm/gemm_backend.hpp"
#include "harness/suite.hpp"
#include "harness/suite_support.hpp"

namespace dlbench {

class GemmSuite final : public Suite {
 public:
  std::string kernel() const override { return "gemm"; }
  void add_flags(FlagSet& flags) override;
  std::vector<std::string> columns() const override;
  std::vector<std::unique_ptr<Case>> build(const CommonOptions& options) override;
  std::vector<BackendInfo> backends() const override;

 private:
  std::string b_layout_ = "plain";
  BackendSet<GemmBackend> backends_;
};

}  // namespace dlbench
