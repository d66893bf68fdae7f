#include "harness/case_runner.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "common/format.hpp"
#include "harness/collective_timer.hpp"

namespace dlbench {

const std::vector<std::string>& csv_head_columns() {
  static const std::vector<std::string> cols{"name",  "kernel", "backend", "precision",
                                             "table", "label",  "device",  "library"};
  return cols;
}

const std::vector<std::string>& csv_tail_columns() {
  // The roofline columns (target/roofline.hpp) follow the figures they are about.
  static const std::vector<std::string> cols{
      "flops",          "bytes",          "time_ms",           "time_ms_min",     "time_ms_max",
      "samples",        "cov_pct",        "tflops",            "gbps",            "intensity",
      "target",         "peak_source",    "peak_tflops",       "peak_gbps",       "ridge",
      "bound",          "roof_tflops",    "roofline_pct",      "spec_peak_tflops", "spec_peak_gbps",
      "spec_roof_tflops", "spec_roofline_pct", "above_roof",  "error",           "tolerance",
      "verified",       "verify_mode",    "status",            "reason",          "implementation",
      "threads",        "runs_per_sample", "cache",            "clock_mhz",       "throttled",
      "converged",      "repetition"};
  return cols;
}

std::vector<std::string> csv_columns(const std::vector<std::string>& kernel_columns) {
  std::vector<std::string> cols = csv_head_columns();
  cols.insert(cols.end(), kernel_columns.begin(), kernel_columns.end());
  cols.insert(cols.end(), csv_tail_columns().begin(), csv_tail_columns().end());
  return cols;
}

Verification verification_of(const OutputCheck& check) {
  return {check.error, check.tolerance, check.mode(), check.passed()};
}

CsvRow algorithm_details(const std::string& algorithm, std::size_t workspace_bytes) {
  const double mb = static_cast<double>(workspace_bytes) / (1 << 20);
  return {{"algorithm", algorithm}, {"workspace_mb", format_number(std::round(mb * 1000) / 1000)}};
}

std::string CaseId::name() const {
  std::string n = kernel + "/" + backend + "/" + precision + "/" + table + "/" + label;
  if (!variant.empty()) n += "/" + variant;
  return n;
}

CaseRunner::CaseRunner(std::vector<std::unique_ptr<Case>> cases, SamplerConfig sampler, int threads,
                       std::unique_ptr<CsvWriter> csv, ProcessGroup& group)
    : group_(group),
      cases_(std::move(cases)),
      sampler_(sampler),
      threads_(threads),
      csv_(std::move(csv)),
      repetitions_seen_(cases_.size(), 0) {}

void CaseRunner::register_benchmarks() {
  for (std::size_t i = 0; i < cases_.size(); ++i) {
    Case* c = cases_[i].get();
    benchmark::RegisterBenchmark(c->id().name().c_str(),
                                 [this, c, i](benchmark::State& state) { run(state, *c, i); })
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

bool selected_by_filter(const std::string& name) {
  std::string spec = benchmark::GetBenchmarkFilter();
  if (spec.empty() || spec == "all") spec = ".";
  bool negate = false;
  if (spec.front() == '-') {
    negate = true;
    spec.erase(0, 1);
  }
  try {
    return std::regex_search(name, std::regex(spec, std::regex::extended)) != negate;
  } catch (const std::regex_error&) {
    return true;
  }
}

int CaseRunner::count_selected() const {
  int n = 0;
  for (const auto& c : cases_) n += selected_by_filter(c->id().name());
  return n;
}

namespace {

std::string fmt(double v) { return format_number(v); }

}  // namespace

const ResolvedTarget& CaseRunner::resolve(const DeviceIdentity& device) {
  auto it = resolved_.find(device.key());
  if (it == resolved_.end())
    it = resolved_.emplace(device.key(), targets_ ? targets_->resolve(device) : ResolvedTarget{}).first;
  return it->second;
}

std::vector<DeviceIdentity> devices_of(const std::vector<std::unique_ptr<Case>>& cases) {
  std::vector<DeviceIdentity> out;
  for (const auto& c : cases) {
    DeviceIdentity device = c->hardware();
    const auto same = [&](const DeviceIdentity& d) { return d.key() == device.key(); };
    if (device.kind != DeviceKind::unknown && std::none_of(out.begin(), out.end(), same))
      out.push_back(std::move(device));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> CaseRunner::target_context() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const DeviceIdentity& device : devices_of(cases_)) {
    const ResolvedTarget& t = resolve(device);
    out.emplace_back("target." + t.id, t.describe());
    out.emplace_back("target." + t.id + ".detected", device.describe());
    for (const auto& [key, value] : device.facts) out.emplace_back("target." + t.id + "." + key, value);
  }
  return out;
}

namespace {

// Sets each of `columns` in `row`, replacing a value the row already has.
void set_columns(CsvRow& row, const CsvRow& columns) {
  for (const auto& [key, value] : columns) {
    auto it = std::find_if(row.begin(), row.end(), [&](const auto& kv) { return kv.first == key; });
    if (it == row.end())
      row.emplace_back(key, value);
    else
      it->second = value;
  }
}

}  // namespace

void CaseRunner::finish(benchmark::State& state, const Case& c, CsvRow row, const RankStatus& outcome) {
  static const char* const kNames[] = {"ok", "skipped", "failed"};
  const std::string status = kNames[outcome.code];
  const std::string& reason = outcome.reason;
  row.emplace_back("status", status);
  row.emplace_back("reason", reason);
  if (csv_) csv_->write(row);
  if (on_row_ && group_.is_root()) on_row_(c, row);
  if (outcome.code == RankStatus::ok) {
    ++outcome_.ok;
  } else {
    outcome.code == RankStatus::skipped ? ++outcome_.skipped : ++outcome_.failed;
    // Google Benchmark 1.7.1 has no SkipWithMessage: an error whose message starts with the status is how the
    // console and JSON show a skipped or failed case without losing the other cases' results. An errored state
    // may return without entering its loop.
    state.SkipWithError((status + ": " + reason).c_str());
  }
}

namespace {

// The verification every rank reports: the largest error and tolerance, passed only where every rank passed, and
// the `wrong` counts summed.
Verification agree_check(ProcessGroup& group, Verification mine) {
  if (group.size() == 1) return mine;
  std::array<double, 3> worst{mine.error, mine.tolerance, mine.passed ? 0.0 : 1.0};
  group.all_reduce(worst, Reduction::max);
  const double wrong = group.sum(static_cast<double>(std::max<std::int64_t>(mine.wrong, 0)));
  mine.error = worst[0];
  mine.tolerance = worst[1];
  mine.passed = worst[2] == 0;
  if (mine.wrong >= 0) mine.wrong = static_cast<std::int64_t>(wrong);
  // The first rank with something to say says it.
  const auto details = group.all_gather(mine.detail);
  mine.detail.clear();
  for (std::size_t r = 0; r < details.size() && mine.detail.empty(); ++r)
    if (!details[r].empty()) mine.detail = "rank " + std::to_string(r) + ": " + details[r];
  return mine;
}

}  // namespace

void CaseRunner::run(benchmark::State& state, Case& c, std::size_t index) {
  const int repetition = repetitions_seen_[index]++;
  if (repetition == 0 && group_.is_root()) {
    if (!progress_) progress_ = std::make_unique<Progress>(count_selected());
    progress_->begin(++started_, c.id().name());
  }

  const CaseId& id = c.id();
  CsvRow row{{"name", id.name()},     {"kernel", id.kernel}, {"backend", id.backend},
             {"precision", id.precision}, {"table", id.table}, {"label", id.label}};
  for (auto& kv : c.columns()) row.push_back(std::move(kv));
  row.emplace_back("flops", fmt(c.flops()));
  row.emplace_back("bytes", fmt(c.bytes()));
  row.emplace_back("intensity", fmt(c.flops() / c.bytes()));
  row.emplace_back("threads", std::to_string(threads_));
  row.emplace_back("repetition", std::to_string(repetition));
  // Every row, timed or not, names its target and its roof: a skipped case still shows what it would run against.
  const DeviceIdentity hardware = c.hardware();
  const ResolvedTarget& target = resolve(hardware);
  const RoofQuery roof_query = c.roof_query();
  set_columns(row, roofline_columns(target, roof_query, hardware, c.flops() / c.bytes(), NAN, NAN).columns);

  // Each step's outcome is agreed by every rank of the run (a group of one agrees with itself): a case one rank
  // cannot run is skipped or failed on all of them, never left half-run with the others waiting in a collective.
  RankStatus status;
  try {
    row.emplace_back("device", c.device());
    row.emplace_back("library", c.library());
    const Support support = c.support();
    if (!support.ok) status = {RankStatus::skipped, support.reason};
  } catch (const std::exception& e) {
    status = {RankStatus::failed, std::string("error while checking support: ") + e.what()};
  }
  status = agree_status(group_, status);
  if (status.code != RankStatus::ok) return finish(state, c, std::move(row), status);

  Prepared prepared;
  try {
    prepared = c.prepare();
  } catch (const Unsupported& e) {
    status = {RankStatus::skipped, e.what()};
  } catch (const std::exception& e) {
    status = {RankStatus::failed, std::string("error while preparing: ") + e.what()};
  }
  status = agree_status(group_, status);
  if (status.code != RankStatus::ok) return finish(state, c, std::move(row), status);

  if (prepared.verify) {
    try {
      prepared.check = prepared.verify();
    } catch (const std::exception& e) {
      status = {RankStatus::failed, std::string("error in the verified call: ") + e.what()};
    }
    status = agree_status(group_, status);
    if (status.code != RankStatus::ok) return finish(state, c, std::move(row), status);
  }

  const Verification check = agree_check(group_, prepared.check);
  row.emplace_back("implementation", prepared.implementation);
  for (auto& kv : prepared.details) row.push_back(std::move(kv));
  const CsvRow checked = c.checked_columns(check);
  row.insert(row.end(), checked.begin(), checked.end());
  row.emplace_back("error", fmt(check.error));
  row.emplace_back("tolerance", fmt(check.tolerance));
  row.emplace_back("verified", check.passed ? "true" : "false");
  row.emplace_back("verify_mode", check.mode);
  if (!check.passed) {
    const std::string what = check.wrong >= 0 ? std::to_string(check.wrong) + " wrong elements"
                                              : "error " + fmt(check.error) + " > tolerance " + fmt(check.tolerance);
    const std::string detail = check.detail.empty() ? "" : "; " + check.detail;
    return finish(state, c, std::move(row),
                  {RankStatus::failed, "verification failed: " + what + " (" + check.mode + ")" + detail});
  }

  Measurement m;
  status = {};
  for (auto _ : state) {
    // Caught inside the loop: Google Benchmark's state must not see its loop entered twice.
    try {
      m = measure(*prepared.op, sampler_, &group_);
      state.SetIterationTime(m.per_run.median);
    } catch (const PeerFailure&) {
      status = {RankStatus::failed, ""};  // the rank that failed gives the reason
    } catch (const std::exception& e) {
      status = {RankStatus::failed, std::string("error while timing: ") + e.what()};
    }
  }
  status = agree_status(group_, status);
  if (status.code != RankStatus::ok) return finish(state, c, std::move(row), status);

  const double t = m.per_run.median;
  const double tflops = c.flops() / t / 1e12;
  const double gbps = c.bytes() / t / 1e9;
  state.counters["TFLOP/s"] = tflops;
  state.counters["GB/s"] = gbps;
  state.counters["AI"] = c.flops() / c.bytes();
  state.counters["error"] = check.error;
  state.counters["CoV%"] = m.per_run.cov() * 100;
  state.counters["samples"] = m.per_run.samples;
  state.counters["time_ms_min"] = m.per_run.min * 1e3;
  state.counters["time_ms_max"] = m.per_run.max * 1e3;

  row.emplace_back("time_ms", fmt(t * 1e3));
  const CsvRow timed = c.timed_columns(m);
  row.insert(row.end(), timed.begin(), timed.end());
  // The kernel's numeric figures go to Google Benchmark too (its JSON, and the console columns a suite picks).
  for (const CsvRow* columns : {&checked, &timed})
    for (const auto& [key, value] : *columns) {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (!value.empty() && end == value.c_str() + value.size()) state.counters[key] = v;
    }
  row.emplace_back("time_ms_min", fmt(m.per_run.min * 1e3));
  row.emplace_back("time_ms_max", fmt(m.per_run.max * 1e3));
  row.emplace_back("samples", std::to_string(m.per_run.samples));
  row.emplace_back("cov_pct", fmt(m.per_run.cov() * 100));
  row.emplace_back("tflops", fmt(tflops));
  row.emplace_back("gbps", fmt(gbps));
  row.emplace_back("runs_per_sample", std::to_string(m.runs_per_sample));
  row.emplace_back("cache", std::string(to_string(m.cache)));
  row.emplace_back("clock_mhz", m.clock_hz > 0 ? fmt(std::round(m.clock_hz / 1e6)) : "");
  row.emplace_back("throttled", m.rated_clock_hz > 0 ? (m.throttled() ? "true" : "false") : "");
  row.emplace_back("converged", m.converged ? "true" : "false");
  if (m.clock_hz > 0) state.counters["clock_MHz"] = std::round(m.clock_hz / 1e6);
  const RooflineColumns roofline = roofline_columns(target, roof_query, hardware, c.flops() / c.bytes(), tflops, gbps);
  set_columns(row, roofline.columns);
  if (!std::isnan(roofline.pct)) state.counters["roof%"] = roofline.pct;
  std::string remarks = c.remarks();
  for (const std::string& more : {measurement_remarks(m, c.bytes()), roofline.remarks})
    if (!more.empty()) remarks += (remarks.empty() ? "" : "; ") + more;
  finish(state, c, std::move(row), {RankStatus::ok, remarks});
}

std::string measurement_remarks(const Measurement& m, double bytes) {
  std::vector<std::string> remarks;
  if (!m.converged) remarks.push_back("noise target not met within --max_time");
  if (m.throttled())
    remarks.push_back("throttled: median clock " + fmt(std::round(m.clock_hz / 1e6)) + " MHz, " +
                      std::to_string(m.throttled_samples) + " of " + std::to_string(m.per_run.samples) +
                      " samples under " + fmt(m.throttle_fraction * 100) + " % of the rated " +
                      fmt(std::round(m.rated_clock_hz / 1e6)) + " MHz");
  // A hot figure on operands that fit in the last-level cache is a cache figure, not a memory one: say so.
  if (m.cache == CacheMode::hot && m.cache_bytes > 0 && bytes <= m.cache_bytes)
    remarks.push_back("hot: operands (" + fmt(std::round(bytes / 1e3) / 1e3) + " MB) fit in the " +
                      fmt(std::round(m.cache_bytes / 1e3) / 1e3) + " MB last-level cache");
  if (!m.notes.empty()) remarks.push_back(m.notes);
  std::string out;
  for (const auto& r : remarks) out += (out.empty() ? "" : "; ") + r;
  return out;
}

}  // namespace dlbench
