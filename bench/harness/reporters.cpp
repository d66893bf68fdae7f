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

bool has_counter(const benchmark::BenchmarkReporter::Run& run, const std::string& name) {
  return run.counters.find(name) != run.counters.end();
}

}  // namespace

std::vector<ConsoleColumn> compute_console_columns() {
  return {{"TFLOP/s", "TFLOP/s", 9, 4}, {"GB/s", "GB/s", 9, 3}, {"AI", "AI", 8, 1},
          {"Roof%", "roof%", 7, 1, false, true}, {"Error", "error", 9, 2, true}};
}

bool ConsoleReporter::ReportContext(const Context& context) {
  PrintBasicContext(&GetErrorStream(), context);
  name_width_ = std::max<std::size_t>(context.name_field_width, 20);
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %11s %7s %7s", static_cast<int>(name_width_), "Case", "Time(ms)", "CoV%",
                "Samples");
  std::string header = line;
  std::size_t width = name_width_ + 28;
  for (const auto& c : columns_) {
    std::snprintf(line, sizeof line, " %*s", c.width, c.header.c_str());
    header += line;
    width += static_cast<std::size_t>(c.width) + 1;
  }
  GetOutputStream() << header << "\n" << std::string(width, '-') << "\n";
  return true;
}

void ConsoleReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const auto& run : runs) {
    const std::string name = run.benchmark_name();
    char line[1024];
    if (run.error_occurred) {
      std::snprintf(line, sizeof line, "%-*s %s\n", static_cast<int>(name_width_), name.c_str(),
                    run.error_message.c_str());
      GetOutputStream() << line << std::flush;
      continue;
    }
    if (run.run_type == Run::RT_Aggregate && run.aggregate_unit == benchmark::kPercentage) {
      // The coefficient of variation over repetitions. Google Benchmark 1.7.1 stores it unscaled in
      // real_accumulated_time, but GetAdjustedRealTime() still applies the time unit and divides by the repetition
      // count (664 % for a 2 % spread over 3 repetitions in ms), so read the raw fraction.
      std::snprintf(line, sizeof line, "%-*s %10.2f%%\n", static_cast<int>(name_width_), name.c_str(),
                    run.real_accumulated_time * 100);
      GetOutputStream() << line << std::flush;
      continue;
    }
    // Microsecond collectives need six decimals of milliseconds; long calls do not.
    const double ms = run.GetAdjustedRealTime();
    std::snprintf(line, sizeof line, ms < 1 ? "%-*s %11.6f %7.2f %7.0f" : "%-*s %11.3f %7.2f %7.0f",
                  static_cast<int>(name_width_), name.c_str(), ms, counter(run, "CoV%"), counter(run, "samples"));
    std::string text = line;
    for (const auto& c : columns_) {
      // A figure the run does not have (no roof known for its device) prints as "-", never as a made-up 0.
      if (c.optional && !has_counter(run, c.counter))
        std::snprintf(line, sizeof line, " %*s", c.width, "-");
      else
        std::snprintf(line, sizeof line, c.scientific ? " %*.*e" : " %*.*f", c.width, c.precision,
                      counter(run, c.counter.c_str()));
      text += line;
    }
    GetOutputStream() << text << "\n" << std::flush;
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

std::unique_ptr<benchmark::BenchmarkReporter> reporter_for(const std::string& format, bool display,
                                                          const std::vector<ConsoleColumn>& columns) {
  if (format == "json") return std::make_unique<benchmark::JSONReporter>();
  if (format == "csv") return std::make_unique<benchmark::CSVReporter>();
  if (display) return std::make_unique<ConsoleReporter>(columns);
  return std::make_unique<benchmark::ConsoleReporter>(benchmark::ConsoleReporter::OO_Tabular);
}

}  // namespace

Reporters make_reporters(int argc, char** argv, std::vector<ConsoleColumn> console_columns) {
  Reporters r;
  r.display = std::make_unique<CanonicalNames>(
      reporter_for(flag_value(argc, argv, "--benchmark_format", "console"), true, console_columns));
  if (!flag_value(argc, argv, "--benchmark_out", "").empty())
    r.file = std::make_unique<CanonicalNames>(
        reporter_for(flag_value(argc, argv, "--benchmark_out_format", "json"), false, console_columns));
  return r;
}

}  // namespace dlbench
