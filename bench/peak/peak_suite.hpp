// peak_bench: measures a device's ceilings with the same harness as every kernel (timed, verified, reported), and
// writes them as a measured target file that later runs pick up (target/target_set.hpp):
//   - bandwidth: each peak backend's bandwidth probe (a STREAM-style triad on the CPU, a device-to-device copy on
//     a GPU); the best becomes the target's memory bandwidth;
//   - compute: each peak backend's compute probes (an FMA loop on the CPU) and the largest GEMM of every GEMM
//     backend in each precision and layout; the best per precision becomes the target's peak.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gemm/gemm_backend.hpp"
#include "harness/suite.hpp"
#include "harness/suite_support.hpp"
#include "peak/measured_target.hpp"
#include "peak/peak_backend.hpp"

namespace dlbench {

class PeakSuite final : public Suite {
 public:
  std::string kernel() const override { return "peak"; }
  void add_flags(FlagSet& flags) override;
  std::vector<std::string> columns() const override;
  std::vector<std::unique_ptr<Case>> build(const CommonOptions& options) override;
  std::vector<BackendInfo> backends() const override;
  void record(const Case& c, const CsvRow& row) override;
  int finish(const CommonOptions& options) override;

 private:
  std::vector<std::string> probes_{"bandwidth", "fma", "gemm"};
  std::vector<std::string> gemm_sizes_;
  int bandwidth_mb_ = 0;
  std::string target_out_;
  BackendSet<PeakBackend> peak_backends_;
  BackendSet<GemmBackend> gemm_backends_;
  std::vector<PeakResult> results_;
};

}  // namespace dlbench
