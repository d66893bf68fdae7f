// What a kernel's benchmark binary plugs into the shared main: its flags, its CSV columns and how the common
// options become cases. gemm_bench, conv_bench, ... are each one Suite and a one-line main.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/case.hpp"
#include "harness/flags.hpp"
#include "harness/process_group.hpp"
#include "harness/reporters.hpp"
#include "harness/sampler.hpp"

namespace dlbench {

// Options every benchmark binary takes.
struct CommonOptions {
  std::vector<std::string> shapes{"default"};
  std::vector<std::string> backends;    // empty: every registered backend
  std::vector<std::string> precisions;  // empty: every precision
  std::vector<std::string> problems;    // canonical problem strings, run without a table
  std::string shapes_dir;
  std::string csv;
  // Target files (--target); empty: every *.csv in the target directory (target/target_set.hpp).
  std::vector<std::string> targets;
  bool list = false;
  int threads = 1;
  int device = 0;
  int autotune = 0;
  int workspace_mb = 32;
  std::string cache = "auto";
  int seed = 1;
  int verify_samples = 2048;
  SamplerConfig sampler;
  // The processes this run spans (set by bench_main; a group of one unless the binary runs under MPI). Suites read
  // tables through it and hand it to backends that need it (collectives).
  ProcessGroup* group = nullptr;
};

class Suite {
 public:
  virtual ~Suite() = default;
  virtual std::string kernel() const = 0;
  virtual void add_flags(FlagSet&) {}
  // The kernel's own CSV columns, placed between the common head and tail columns.
  virtual std::vector<std::string> columns() const = 0;
  // The console table's figures after time, CoV and samples (counters the runs carry; every numeric kernel column
  // is one). Compute kernels show TFLOP/s, GB/s, intensity and error.
  virtual std::vector<ConsoleColumn> console_columns() const { return compute_console_columns(); }
  // Builds the cases in run order. Throws InputError for bad tables, problems or names.
  virtual std::vector<std::unique_ptr<Case>> build(const CommonOptions& options) = 0;
  // The selected backends with their availability, library and device (after build()), for --list and the
  // run's context.
  struct BackendInfo {
    std::string name, library, device, unavailable_reason;
    std::vector<std::pair<std::string, std::string>> context;
  };
  virtual std::vector<BackendInfo> backends() const = 0;
  // Sees every finished row on the rank that writes them, in run order. Nothing by default; peak_bench gathers
  // the ceilings it measured.
  virtual void record(const Case& /*c*/, const CsvRow& /*row*/) {}
  // Called once after the run on that rank (peak_bench writes its target file). Returns the run's exit status
  // as far as the suite is concerned: 0, or 1 when what it had to produce could not be.
  virtual int finish(const CommonOptions& /*options*/) { return 0; }
};

// The shared main: parses flags (Google Benchmark's first), builds the cases, lists or runs them, writes the CSV.
// Exit status: 0 all cases ok or skipped, 1 a case failed or nothing matched, 2 bad input.
int bench_main(int argc, char** argv, Suite& suite);
// The same, for a binary whose processes form `group` (allreduce_bench under mpirun): every rank must call it
// with the same arguments; only rank 0 prints and writes files, and every rank returns the same exit status.
int bench_main(int argc, char** argv, Suite& suite, ProcessGroup& group);

}  // namespace dlbench
