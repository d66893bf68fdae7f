// A GEMM benchmark case: one problem (shape × precision) on one backend in one configuration.
#pragma once

#include <cstdint>
#include <memory>

#include "gemm/gemm_backend.hpp"
#include "harness/case.hpp"

namespace dlbench {

class GemmCase final : public Case {
 public:
  GemmCase(CaseId id, GemmProblem problem, GemmConfig config, std::shared_ptr<GemmBackend> backend,
           std::uint64_t seed, int verify_samples);

  // The kernel's CSV columns, in order.
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

  const GemmProblem& problem() const { return problem_; }

 private:
  CaseId id_;
  GemmProblem problem_;
  GemmConfig config_;
  std::shared_ptr<GemmBackend> backend_;
  std::uint64_t seed_;
  int verify_samples_;
};

}  // namespace dlbench
