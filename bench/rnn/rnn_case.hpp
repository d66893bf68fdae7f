// An RNN benchmark case: one problem (shape × pass × precision) on one backend, from one table row (whose phase it
// records) or from --problem.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/case.hpp"
#include "rnn/rnn_backend.hpp"

namespace dlbench {

class RnnCase final : public Case {
 public:
  // `phase` is the table row's (`training` or `inference`), empty for a --problem case.
  RnnCase(CaseId id, RnnProblem problem, std::string phase, std::shared_ptr<RnnBackend> backend,
          std::uint64_t seed);

  // The kernel's CSV columns, in order; `algorithm` and `workspace_mb` come from Prepared::details,
  // `tflops_deepbench` from the measured time.
  static std::vector<std::string> column_names();

  const CaseId& id() const override { return id_; }
  Support support() override;
  Prepared prepare() override;
  // The full-layer convention (rnn_problem.hpp): both GEMMs of every step, what the library call computes; the
  // DeepBench convention is in its own columns.
  double flops() const override { return problem_.flops(); }
  double bytes() const override { return problem_.min_bytes(); }
  std::string device() const override { return backend_->device(); }
  std::string library() const override { return backend_->library(); }
  DeviceIdentity hardware() const override { return backend_->hardware(); }
  CsvRow columns() const override;
  CsvRow timed_columns(const Measurement& m) const override;

  const RnnProblem& problem() const { return problem_; }

 private:
  CaseId id_;
  RnnProblem problem_;
  std::string phase_;
  std::shared_ptr<RnnBackend> backend_;
  std::uint64_t seed_;
};

}  // namespace dlbench
