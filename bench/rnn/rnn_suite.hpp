// rnn_bench's suite: tables or --problem strings × backends × precisions × passes, backend outermost, so a run reads
// backend by backend and precision by precision, and a row's passes follow each other. Training rows run
// training_fwd and training_bwd, inference rows inference; --passes narrows that.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/suite.hpp"
#include "harness/suite_support.hpp"
#include "rnn/rnn_backend.hpp"

namespace dlbench {

class RnnSuite final : public Suite {
 public:
  std::string kernel() const override { return "rnn"; }
  void add_flags(FlagSet& flags) override;
  std::vector<std::string> columns() const override;
  std::vector<std::unique_ptr<Case>> build(const CommonOptions& options) override;
  std::vector<BackendInfo> backends() const override;

 private:
  std::vector<std::string> passes_;  // empty unless given: a --problem naming its pass runs it unless excluded
  BackendSet<RnnBackend> backends_;
};

}  // namespace dlbench
