#include "harness/reporters.hpp"

#include <cstdio>
#include <ostream>
#include <cstring>
#include <string>

namespace dlbench {

namespace {

double counter(const benchmark::BenchmarkReporter::Run& run, const char* name) {
  const auto it = run.counters.find(name);
  return it == run.counters.end() ? 0.0 : it->second.value;
}

}  // namespace

bool ConsoleReporter::ReportContext(const Context& context) {
  PrintBasicContext(&GetErrorStream(), context);
  name_width_ = std::max<std::size_t>(context.name_field_width, 20);
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %11s %7s %7s %9s %9s %8s %9s\n", static_cast<int>(name_width_), "Case",
                "Time(ms)", "CoV%", "Samples", "TFLOP/s", "GB/s", "AI", "Error");
  GetOutputStream() << line << std::string(name_width_ + 77, '-') << "\n";
  return true;
}

void ConsoleReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const auto& run : runs) {
    const std::string name = run.benchmark_name();
    char line[1024];
    if (run.error_occurred) {
      std::snprintf(line, sizeof line, "%-*s %s\n", static_cast<int>(name_width_), name.c_str(),
                    run.error_message.c_str());
    } else if (run.run_type == Run::RT_Aggregate && run.aggregate_unit == benchmark::kPercentage) {
      // The coefficient of variation over repetitions. Google Benchmark 1.7.1 stores it unscaled in
      // real_accumulated_time, but GetAdjustedRealTime() still applies the time unit and divides by the repetition
      // count (664 % for a 2 % spread over 3 repetitions in ms), so read the raw fraction.
      std::snprintf(line, sizeof line, "%-*s %10.2f%%\n", static_cast<int>(name_width_), name.c_str(),
                    run.real_accumulated_time * 100);
    } else {
      std::snprintf(line, sizeof line, "%-*s %11.4f %7.2f %7.0f %9.4f %9.3f %8.1f %9.2e\n",
                    static_cast<int>(name_width_), name.c_str(), run.GetAdjustedRealTime(), counter(run, "CoV%"),
                    counter(run, "samples"), counter(run, "TFLOP/s"), counter(run, "GB/s"), counter(run, "AI"),
                    counter(run, "error"));
    }
    GetOutputStream() << line << std::flush;
  }
}

}  // namespace dlbench

namespace dlbench {

bool CanonicalNames::ReportContext(const Context& context) {
  // Google Benchmark points this adapter's streams at the console or the --benchmark_out file; pass them on.
  inner_->SetOutputStream(&GetOutputStream());
  inner_->SetErrorStream(&GetErrorStream());
  return inner_->ReportContext(context);
}

void CanonicalNames::ReportRuns(const std::vector<Run>& runs) {
  std::vector<Run> renamed = runs;
  for (auto& run : renamed) {
    run.run_name.iterations.clear();
    run.run_name.time_type.clear();
  }
  inner_->ReportRuns(renamed);
}

namespace {

std::string flag_value(int argc, char** argv, const char* name, const std::string& fallback) {
  const std::size_t len = std::strlen(name);
  std::string value = fallback;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') value = argv[i] + len + 1;
  return value;
}

std::unique_ptr<benchmark::BenchmarkReporter> reporter_for(const std::string& format, bool display) {
  if (format == "json") return std::make_unique<benchmark::JSONReporter>();
  if (format == "csv") return std::make_unique<benchmark::CSVReporter>();
  if (display) return std::make_unique<ConsoleReporter>();
  return std::make_unique<benchmark::ConsoleReporter>(benchmark::ConsoleReporter::OO_Tabular);
}

}  // namespace

Reporters make_reporters(int argc, char** argv) {
  Reporters r;
  r.display = std::make_unique<CanonicalNames>(
      reporter_for(flag_value(argc, argv, "--benchmark_format", "console"), true));
  if (!flag_value(argc, argv, "--benchmark_out", "").empty())
    r.file = std::make_unique<CanonicalNames>(
        reporter_for(flag_value(argc, argv, "--benchmark_out_format", "json"), false));
  return r;
}

}  // namespace dlbench
