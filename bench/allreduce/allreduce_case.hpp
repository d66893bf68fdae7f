// An allreduce benchmark case: one problem (size × type × reduction × placement) on one backend, from a table row,
// a --sweep size or --problem.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "allreduce/allreduce_backend.hpp"
#include "harness/case.hpp"
#include "harness/process_group.hpp"

namespace dlbench {

class AllReduceCase final : public Case {
 public:
  // `bytes_note` is set when a table row gave a byte size (`row_bytes`) that is not a whole number of the type's
  // elements: the case is then skipped with it as the reason, and its row shows the table's size and no count.
  AllReduceCase(CaseId id, AllReduceProblem problem, std::shared_ptr<AllReduceBackend> backend, ProcessGroup& group,
                std::uint64_t seed, std::string bytes_note = {}, std::int64_t row_bytes = 0);

  static std::vector<std::string> column_names();

  const CaseId& id() const override { return id_; }
  Support support() override;
  Prepared prepare() override;
  double flops() const override { return bytes_note_.empty() ? problem_.flops(backend_->ranks()) : 0.0; }
  double bytes() const override { return bytes_note_.empty() ? problem_.bytes() : static_cast<double>(row_bytes_); }
  std::string device() const override { return backend_->device(); }
  std::string library() const override { return backend_->library(); }
  DeviceIdentity hardware() const override { return backend_->hardware(); }
  CsvRow columns() const override;
  CsvRow checked_columns(const Verification& agreed) const override;
  CsvRow timed_columns(const Measurement& m) const override;
  std::string remarks() const override;
  // The bus bandwidth against the link (NVLink, or host memory when every rank is on one host).
  RoofQuery roof_query() const override;

  const AllReduceProblem& problem() const { return problem_; }

 private:
  CaseId id_;
  AllReduceProblem problem_;
  std::shared_ptr<AllReduceBackend> backend_;
  ProcessGroup& group_;
  std::uint64_t seed_;
  std::string bytes_note_;
  std::int64_t row_bytes_;
};

}  // namespace dlbench
