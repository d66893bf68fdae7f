// conv_bench's suite: tables or --problem strings × backends × precisions × layouts × directions, backend
// outermost, so a run reads backend by backend and precision by precision, and a row's directions follow each
// other. Training rows run the --directions (all three by default), inference rows fwd only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "conv/conv_backend.hpp"
#include "harness/suite.hpp"
#include "harness/suite_support.hpp"

namespace dlbench {

class ConvSuite final : public Suite {
 public:
  std::string kernel() const override { return "conv"; }
  void add_flags(FlagSet& flags) override;
  std::vector<std::string> columns() const override;
  std::vector<std::unique_ptr<Case>> build(const CommonOptions& options) override;
  std::vector<BackendInfo> backends() const override;

 private:
  // Empty unless given: a --problem that names its layout or direction runs in it unless the flag, given, excludes
  // it (as with --precisions), so the defaults (every direction, nhwc) are applied in build().
  std::vector<std::string> directions_;
  std::vector<std::string> layouts_;
  BackendSet<ConvBackend> backends_;
};

}  // namespace dlbench
