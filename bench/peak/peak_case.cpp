#include "peak/peak_case.hpp"

namespace dlbench {

std::vector<std::string> peak_column_names() { return {"probe", "measures", "size"}; }

ProbeCase::ProbeCase(std::string backend_name, PeakProbe probe, std::shared_ptr<PeakBackend> backend)
    : id_{"peak", std::move(backend_name), probe.precision, "peak", probe.name, ""},
      probe_(std::move(probe)),
      backend_(std::move(backend)) {}

Support ProbeCase::support() {
  const Availability a = backend_->availability();
  return a.available ? Support::yes() : Support::no(a.reason);
}

CsvRow ProbeCase::columns() const {
  return {{"probe", probe_.name}, {"measures", probe_.bandwidth ? "bandwidth" : "compute"}, {"size", probe_.size}};
}

GemmProbeCase::GemmProbeCase(std::unique_ptr<GemmCase> gemm) : gemm_(std::move(gemm)) {
  const CaseId& g = gemm_->id();
  id_ = {"peak", g.backend, g.precision, "peak", "gemm_" + gemm_->problem().to_string(false), g.variant};
}

CsvRow GemmProbeCase::columns() const {
  return {{"probe", "gemm"}, {"measures", "compute"}, {"size", gemm_->problem().to_string(false)}};
}

}  // namespace dlbench
