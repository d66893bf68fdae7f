// A convolution benchmark case: one problem (shape × layout × direction × precision) on one backend, from one
// table row (whose phase it records) or from --problem.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conv/conv_backend.hpp"
#include "harness/case.hpp"

namespace dlbench {

class ConvCase final : public Case {
 public:
  // `phase` is the table row's (`training` or `inference`), empty for a --problem case.
  ConvCase(CaseId id, ConvProblem problem, std::string phase, std::shared_ptr<ConvBackend> backend,
           std::uint64_t seed, int verify_samples);

  // The kernel's CSV columns, in order; `algorithm` and `workspace_mb` come from Prepared::details.
  static std::vector<std::string> column_names();

  const CaseId& id() const override { return id_; }
  Support support() override;
  Prepared prepare() override;
  double flops() const override { return problem_.flops(); }
  double bytes() const override { return problem_.min_bytes(); }
  std::string device() const override { return backend_->device(); }
  std::string library() const override { return backend_->library(); }
  DeviceIdentity hardware() const override { return backend_->hardware(); }
  CsvRow columns() const override;

  const ConvProblem& problem() const { return problem_; }

 private:
  CaseId id_;
  ConvProblem problem_;
  std::string phase_;
  std::shared_ptr<ConvBackend> backend_;
  std::uint64_t seed_;
  int verify_samples_;
};

}  // namespace dlbench
