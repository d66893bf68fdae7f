#include "peak/peak_suite.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "peak/peak_case.hpp"
#include "target/target_set.hpp"

namespace dlbench {

namespace {

std::string field(const CsvRow& row, const std::string& key) {
  for (const auto& [k, v] : row)
    if (k == key) return v;
  return "";
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Square GEMMs big enough to keep every unit busy for milliseconds: 8192 and 16384 on a GPU (~1.5 and 12 ms in
// bf16 on an H200), 1024 to 4096 on a CPU (~7 ms to 0.5 s in fp32 on two cores). Libraries reach their best at
// different sizes (oneDNN's AMX bf16 was seen at 2.8x its 2048³ rate on a 512×4096×1024 layer), so several.
std::vector<int> default_gemm_sizes(const DeviceIdentity& device) {
  if (device.kind == DeviceKind::cpu) return {1024, 2048, 4096};
  return {8192, 16384};
}

std::string provenance() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  return std::string("host ") + host + ", " + date;
}

}  // namespace

void PeakSuite::add_flags(FlagSet& flags) {
  flags.add_list("probes", "what to measure: bandwidth, fma (CPU FMA loops), gemm (largest GEMMs); comma-separated",
                 &probes_);
  flags.add_list("gemm_sizes", "m = n = k of the GEMM probes, comma-separated (default: 8192,16384 on GPUs, 1024,2048,4096 on CPUs)",
                 &gemm_sizes_);
  flags.add_int("bandwidth_mb", "MiB per array of the bandwidth probes (0: several times the last-level cache)",
                &bandwidth_mb_, 0);
  flags.add_string("target_out", "FILE",
                   "write the measured target(s) here (default: <target dir>/<target id>.csv, where later runs "
                   "find them; 'none': do not write)",
                   &target_out_);
}

std::vector<std::string> PeakSuite::columns() const { return peak_column_names(); }

std::vector<std::unique_ptr<Case>> PeakSuite::build(const CommonOptions& o) {
  for (const auto& p : probes_)
    if (p != "bandwidth" && p != "fma" && p != "gemm")
      throw InputError("--probes: unknown probe '" + p + "' (valid: bandwidth, fma, gemm)");
  std::vector<int> sizes;
  for (const auto& text : gemm_sizes_) {
    std::size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(text, &used);
    } catch (const std::exception&) {
    }
    if (used != text.size() || v < 1 || v > 65536)
      throw InputError("--gemm_sizes: '" + text + "' is not a size from 1 to 65536");
    sizes.push_back(v);
  }

  // --backends names backends of either registry.
  const auto& peak_registry = Registry<PeakBackend>::instance();
  const auto& gemm_registry = Registry<GemmBackend>::instance();
  CommonOptions peak_options = o, gemm_options = o;
  peak_options.backends.clear();
  gemm_options.backends.clear();
  for (const auto& name : o.backends) {
    if (peak_registry.contains(name)) peak_options.backends.push_back(name);
    else if (gemm_registry.contains(name)) gemm_options.backends.push_back(name);
    else {
      std::string valid;
      for (const auto& n : peak_registry.names()) valid += (valid.empty() ? "" : ", ") + n;
      for (const auto& n : gemm_registry.names()) valid += (valid.empty() ? "" : ", ") + n;
      throw InputError("--backends: unknown backend '" + name + "' (built into this peak_bench: " + valid + ")");
    }
  }
  const bool only_named = !o.backends.empty();

  // --precisions: the GEMM precisions and fp64 (the CPU's FMA loop and triad).
  std::vector<std::string> precisions = o.precisions;
  for (const auto& p : precisions)
    if (p != "fp64" && !parse_precision(p))
      throw InputError("--precisions: unknown precision '" + p + "' (valid: fp64, " + precision_choices() + ")");
  const auto wanted = [&](const std::string& p) { return precisions.empty() || contains(precisions, p); };

  std::vector<std::unique_ptr<Case>> cases;
  const std::size_t bandwidth_bytes = static_cast<std::size_t>(bandwidth_mb_) << 20;
  if (!only_named || !peak_options.backends.empty()) {
    for (const auto& [name, backend] : peak_backends_.select(peak_options, "peak")) {
      for (auto& probe : backend->probes(bandwidth_bytes)) {
        const bool kind_wanted = probe.bandwidth ? contains(probes_, "bandwidth") : contains(probes_, "fma");
        if (kind_wanted && wanted(probe.precision))
          cases.push_back(std::make_unique<ProbeCase>(name, std::move(probe), backend));
      }
    }
  }
  if (contains(probes_, "gemm") && (!only_named || !gemm_options.backends.empty())) {
    for (const auto& [name, backend] : gemm_backends_.select(gemm_options, "gemm")) {
      const std::vector<int> these = sizes.empty() ? default_gemm_sizes(backend->hardware()) : sizes;
      for (const PrecisionInfo& info : all_precisions()) {
        const std::string pname(to_string(info.precision));
        if (!wanted(pname)) continue;
        for (const int size : these) {
          // Three layouts: libraries are fastest in different ones, and some run only one (cuBLASLt's fp8 on
          // Hopper takes only "nt"; its int8 picks far faster kernels there).
          for (const char* layout : {"nn", "nt", "tn"}) {
            const std::string n = std::to_string(size);
            const GemmProblem problem =
                GemmProblem::parse("m" + n + "n" + n + "k" + n + "_" + layout + "_" + pname, "peak_bench");
            CaseId id{"gemm", name, pname, "peak", problem.to_string(false), ""};
            cases.push_back(std::make_unique<GemmProbeCase>(std::make_unique<GemmCase>(
                std::move(id), problem, GemmConfig{}, backend, case_seed(problem.to_string(), o.seed),
                o.verify_samples)));
          }
        }
      }
    }
  }
  return cases;
}

std::vector<Suite::BackendInfo> PeakSuite::backends() const {
  auto out = peak_backends_.infos();
  for (auto& info : gemm_backends_.infos()) out.push_back(std::move(info));
  return out;
}

void PeakSuite::record(const Case& c, const CsvRow& row) {
  if (field(row, "status") != "ok") return;
  PeakResult r;
  r.device = c.hardware();
  r.target_id = field(row, "target");
  r.label = c.id().name();
  r.bandwidth = field(row, "measures") == "bandwidth";
  r.peak_key = peak_key_of(c.id().precision);
  try {
    r.value = std::stod(field(row, r.bandwidth ? "gbps" : "tflops"));
  } catch (const std::exception&) {
    return;
  }
  results_.push_back(std::move(r));
}

int PeakSuite::finish(const CommonOptions&) {
  const std::vector<Target> targets = measured_targets(results_, provenance());
  if (targets.empty()) {
    std::fprintf(stderr, "peak_bench: no probe succeeded on any device: no target file written\n");
    return 1;
  }
  if (target_out_ == "none") return 0;
  namespace fs = std::filesystem;
  // One file per device in the target directory, or all of them in --target_out.
  std::vector<std::pair<std::string, std::vector<Target>>> files;
  if (!target_out_.empty()) {
    files.emplace_back(target_out_, targets);
  } else {
    for (const auto& t : targets) files.emplace_back(default_target_dir() + "/" + t.id + ".csv", std::vector{t});
  }
  int status = 0;
  for (const auto& [path, list] : files) {
    const std::string header =
        "Measured by peak_bench: the best bandwidth and compute probes of each device (see the rows' citation).\n"
        "dlbench binaries read this file with --target=FILE, or from the target directory automatically.";
    std::error_code ec;
    if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path(), ec);
    // Written beside and renamed over, so a run reading the directory never sees half a file.
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << format_targets(list, header);
      if (!out) {
        std::fprintf(stderr, "peak_bench: error: cannot write %s\n", path.c_str());
        status = 1;
        continue;
      }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
      std::fprintf(stderr, "peak_bench: error: cannot write %s (%s)\n", path.c_str(), ec.message().c_str());
      status = 1;
      continue;
    }
    for (const auto& t : list)
      std::fprintf(stderr, "peak_bench: measured target %s written to %s\n", t.id.c_str(), path.c_str());
  }
  return status;
}

}  // namespace dlbench
