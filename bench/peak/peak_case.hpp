// peak_bench's cases: a backend's probe (triad, copy, FMA loop), or the largest GEMM of a GEMM backend seen as a
// probe of the compute peak. Both are ordinary harness cases: timed, verified and reported like any kernel's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gemm/gemm_case.hpp"
#include "harness/case.hpp"
#include "peak/peak_backend.hpp"

namespace dlbench {

// The kernel's CSV columns: probe (triad, copy, fma, gemm), measures (bandwidth or compute), size.
std::vector<std::string> peak_column_names();

class ProbeCase final : public Case {
 public:
  ProbeCase(std::string backend_name, PeakProbe probe, std::shared_ptr<PeakBackend> backend);
  const CaseId& id() const override { return id_; }
  Support support() override;
  Prepared prepare() override { return backend_->prepare(probe_); }
  double flops() const override { return probe_.flops; }
  double bytes() const override { return probe_.bytes; }
  std::string device() const override { return backend_->device(); }
  std::string library() const override { return backend_->library(); }
  DeviceIdentity hardware() const override { return backend_->hardware(); }
  CsvRow columns() const override;
  RoofQuery roof_query() const override { return {probe_.precision}; }
  const PeakProbe& probe() const { return probe_; }

 private:
  CaseId id_;
  PeakProbe probe_;
  std::shared_ptr<PeakBackend> backend_;
};

// A GEMM case under peak_bench's name (peak/<backend>/<precision>/peak/gemm_<problem>) and columns.
class GemmProbeCase final : public Case {
 public:
  explicit GemmProbeCase(std::unique_ptr<GemmCase> gemm);
  const CaseId& id() const override { return id_; }
  Support support() override { return gemm_->support(); }
  Prepared prepare() override { return gemm_->prepare(); }
  double flops() const override { return gemm_->flops(); }
  double bytes() const override { return gemm_->bytes(); }
  std::string device() const override { return gemm_->device(); }
  std::string library() const override { return gemm_->library(); }
  DeviceIdentity hardware() const override { return gemm_->hardware(); }
  CsvRow columns() const override;

 private:
  CaseId id_;
  std::unique_ptr<GemmCase> gemm_;
};

}  // namespace dlbench
