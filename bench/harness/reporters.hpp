// Reporters for Google Benchmark's output streams.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace dlbench {

// A column of the console table after the time, CoV and sample count: a counter of each run, printed with
// printf's %*.*f (or %*.*e when `scientific`).
struct ConsoleColumn {
  std::string header, counter;
  int width = 9, precision = 3;
  bool scientific = false;
  bool optional = false;  // printed as "-" in a run without the counter, instead of 0
};
// TFLOP/s, GB/s, arithmetic intensity, percent of the roofline and error: the compute kernels' columns.
std::vector<ConsoleColumn> compute_console_columns();

// The console table: Google Benchmark's console reporter prints counters with SI prefixes ("370m" for 0.37
// TFLOP/s), which misleads at a glance; this one prints the same runs with fixed units and says which cases were
// skipped or failed and why. Used when --benchmark_format is console (the default).
class ConsoleReporter : public benchmark::BenchmarkReporter {
 public:
  explicit ConsoleReporter(std::vector<ConsoleColumn> columns) : columns_(std::move(columns)) {}
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;

 private:
  std::vector<ConsoleColumn> columns_;
  std::size_t name_width_ = 40;
};

// Google Benchmark appends "/iterations:1/manual_time" to the name of every case (each case runs its own
// sampler inside one manual-time iteration). This adapter drops those parts before any reporter sees a run, so a
// case has one name in the console, JSON and CSV, and a name copied from any of them works as a filter.
class CanonicalNames : public benchmark::BenchmarkReporter {
 public:
  explicit CanonicalNames(std::unique_ptr<benchmark::BenchmarkReporter> inner) : inner_(std::move(inner)) {}
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override { inner_->Finalize(); }

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> inner_;
};

// What ranks other than 0 report under a process group: nothing (rank 0 reports every case once).
class SilentReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

// Reporters for a run, from Google Benchmark's flags as given on the command line (read before Initialize()
// strips them): the display reporter for --benchmark_format, and a file reporter only when --benchmark_out is
// given (Google Benchmark 1.7.1 exits if it gets a file reporter without one).
struct Reporters {
  std::unique_ptr<benchmark::BenchmarkReporter> display;
  std::unique_ptr<benchmark::BenchmarkReporter> file;
};
Reporters make_reporters(int argc, char** argv, std::vector<ConsoleColumn> console_columns);

}  // namespace dlbench
