// What a kernel's benchmark binary plugs into the shared main: its flags, its CSV columns and how the common
// options become cases. gemm_bench, conv_bench, ... are each one Suite and a one-line main.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/case.hpp"
#include "harness/flags.hpp"
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
  bool list = false;
  int threads = 1;
  int device = 0;
  int autotune = 0;
  int workspace_mb = 32;
  std::string cache = "auto";
  int seed = 1;
  int verify_samples = 2048;
  SamplerConfig sampler;
};

class Suite {
 public:
  virtual ~Suite() = default;
  virtual std::string kernel() const = 0;
  virtual void add_flags(FlagSet&) {}
  // The kernel's own CSV columns, placed between the common head and tail columns.
  virtual std::vector<std::string> columns() const = 0;
  // Builds the cases in run order. Throws InputError for bad tables, problems or names.
  virtual std::vector<std::unique_ptr<Case>> build(const CommonOptions& options) = 0;
  // The selected backends with their availability, library and device (after build()), for --list and the
  // run's context.
  struct BackendInfo {
    std::string name, library, device, unavailable_reason;
    std::vector<std::pair<std::string, std::string>> context;
  };
  virtual std::vector<BackendInfo> backends() const = 0;
};

// The shared main: parses flags (Google Benchmark's first), builds the cases, lists or runs them, writes the CSV.
// Exit status: 0 all cases ok or skipped, 1 a case failed or nothing matched, 2 bad input.
int bench_main(int argc, char** argv, Suite& suite);

}  // namespace dlbench
