// One benchmark case: a problem, in one precision, on one backend, from one table row. Kernels implement Case;
// the harness (case_runner) drives every case through the same lifecycle: support → prepare (inputs, operation,
// verification) → measure → report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/output_check.hpp"
#include "harness/backend.hpp"
#include "harness/csv_writer.hpp"
#include "harness/operation.hpp"
#include "harness/sampler.hpp"
#include "target/roofline.hpp"

namespace dlbench {

struct CaseId {
  std::string kernel, backend, precision, table, label;
  std::string variant;  // kernel-specific suffix, e.g. "b_packed"; empty for the default configuration
  // kernel/backend/precision/table/label[/variant]: the name in the console, JSON, CSV and --benchmark_filter.
  std::string name() const;
};

struct Verification {
  double error = 0;      // relative L2 error against the float64 reference
  double tolerance = 0;
  std::string mode;      // "full" or "sampled"
  bool passed = false;
  // Elements that differ from an exactly known result (a collective's `wrong` count); -1 when the check is an error
  // norm against a tolerance instead. Under a process group the harness sums it over the ranks.
  std::int64_t wrong = -1;
  // What a failed check's reason should also say, e.g. the first wrong element; empty when nothing.
  std::string detail;
};

// A reference check as the row reports it.
Verification verification_of(const OutputCheck& check);

struct Prepared {
  std::unique_ptr<Operation> op;
  Verification check;
  std::string implementation;  // what the library chose, e.g. "brg:avx512_core_amx"
  // Kernel columns known only once the library has chosen (e.g. a convolution's algorithm and its workspace);
  // their names must be in the kernel's column list.
  CsvRow details;
  // Set by a case whose verified call is a collective: the harness calls it, instead of reading `check`, once every
  // rank has prepared, so that no rank enters the collective while another has failed to prepare and never will.
  std::function<Verification()> verify;
};

// Prepared::details of a library that picks an algorithm and a scratch buffer for it: the `algorithm` and
// `workspace_mb` columns (MiB to the nearest kB).
CsvRow algorithm_details(const std::string& algorithm, std::size_t workspace_bytes);

// Thrown by a backend when it learns only while preparing that it cannot run a case; the case becomes a
// skipped row with this message as its reason.
class Unsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Case {
 public:
  virtual ~Case() = default;
  virtual const CaseId& id() const = 0;
  // Cheap (no large allocations): whether the backend is available and accepts this problem. Used by --list too.
  virtual Support support() = 0;
  // Random inputs, the backend's operation, one verified call. May throw Unsupported or any std::exception.
  virtual Prepared prepare() = 0;
  virtual double flops() const = 0;
  virtual double bytes() const = 0;
  virtual std::string device() const = 0;
  virtual std::string library() const = 0;
  // The kernel's own CSV columns (shape and configuration), in the order of the kernel's column list.
  virtual CsvRow columns() const = 0;
  // Kernel columns derived from the measurement (its median time per call is the row's time), e.g. a throughput
  // under a second FLOP convention. Empty by default.
  virtual CsvRow timed_columns(const Measurement& /*m*/) const { return {}; }
  // Kernel columns derived from the verification, as agreed by every rank. Empty by default.
  virtual CsvRow checked_columns(const Verification& /*agreed*/) const { return {}; }
  // What a reader of an ok row must know about the case itself (e.g. why a figure is 0), "; "-joined into its
  // reason with the measurement's remarks. Empty by default.
  virtual std::string remarks() const { return {}; }
  // The device the case runs on (its backend's hardware()), whose target gives the row its roofline.
  virtual DeviceIdentity hardware() const { return {}; }
  // What the row is placed against: by default the compute peak of its precision on the FLOP roofline;
  // collectives place their bus bandwidth against the link.
  virtual RoofQuery roof_query() const { return {peak_key_of(id().precision)}; }
};

}  // namespace dlbench
