// Drives cases through Google Benchmark: registers one benchmark per case, runs each through support → prepare →
// verify → measure, sets the counters, writes the CSV row, and tallies outcomes for the exit code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "harness/case.hpp"
#include "harness/csv_writer.hpp"
#include "harness/process_group.hpp"
#include "harness/progress.hpp"
#include "harness/sampler.hpp"
#include "target/target_set.hpp"

namespace dlbench {

// The columns every kernel's CSV has; a kernel's own columns go between `csv_head_columns` and `csv_tail_columns`.
const std::vector<std::string>& csv_head_columns();
const std::vector<std::string>& csv_tail_columns();
std::vector<std::string> csv_columns(const std::vector<std::string>& kernel_columns);

// Whether `name` is selected by Google Benchmark's current --benchmark_filter, matched as Google Benchmark 1.7.1
// matches it (POSIX extended regex searched in the name; "all" or empty selects all; a leading '-' negates).
// A filter that is not a valid regex selects everything here; Google Benchmark reports it itself.
bool selected_by_filter(const std::string& name);

// The `reason` text of an ok row: what a reader must know about how it was measured (not converged, throttled,
// operands resident in cache in hot mode, the timer's notes), "; "-separated; empty when nothing.
std::string measurement_remarks(const Measurement& m, double bytes);

// The devices the cases run on, each once, in case order; devices a backend cannot tell (unknown) are left out.
std::vector<DeviceIdentity> devices_of(const std::vector<std::unique_ptr<Case>>& cases);

struct Outcome {
  int ok = 0, skipped = 0, failed = 0;
};

class CaseRunner {
 public:
  // Under a `group` of more than one process, every rank runs every case together (see process_group.hpp); only
  // the rank given a `csv` writes rows.
  CaseRunner(std::vector<std::unique_ptr<Case>> cases, SamplerConfig sampler, int threads,
             std::unique_ptr<CsvWriter> csv, ProcessGroup& group);

  // The targets rows are placed against (roofline columns); without them rows have empty roofline columns.
  void set_targets(const TargetSet* targets) { targets_ = targets; }
  // Called on the rank that writes rows with every finished row, in run order (peak_bench gathers its ceilings).
  void on_row(std::function<void(const Case&, const CsvRow&)> callback) { on_row_ = std::move(callback); }
  // The run's context for the targets of the cases' devices: one `target.<id>` key per device, what was detected
  // and which spec and measured ceilings apply.
  std::vector<std::pair<std::string, std::string>> target_context();
  // Registers every case with Google Benchmark (manual time, one iteration: the sampler inside takes the samples).
  void register_benchmarks();
  // How many registered cases match Google Benchmark's current --benchmark_filter, for the progress line.
  int count_selected() const;
  const Outcome& outcome() const { return outcome_; }
  const std::vector<std::unique_ptr<Case>>& cases() const { return cases_; }

 private:
  void run(benchmark::State& state, Case& c, std::size_t index);
  // Writes the row, tallies the status and, unless ok, marks the benchmark skipped/failed for Google Benchmark.
  void finish(benchmark::State& state, const Case& c, CsvRow row, const RankStatus& outcome);
  const ResolvedTarget& resolve(const DeviceIdentity& device);

  ProcessGroup& group_;
  std::vector<std::unique_ptr<Case>> cases_;
  SamplerConfig sampler_;
  int threads_;
  std::unique_ptr<CsvWriter> csv_;
  std::unique_ptr<Progress> progress_;
  std::vector<int> repetitions_seen_;
  int started_ = 0;
  Outcome outcome_;
  const TargetSet* targets_ = nullptr;
  std::map<std::string, ResolvedTarget> resolved_;  // by DeviceIdentity::key()
  std::function<void(const Case&, const CsvRow&)> on_row_;
};

}  // namespace dlbench
