// The main every benchmark binary shares (declared in suite.hpp).
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "common/input_error.hpp"
#include "harness/case_runner.hpp"
#include "harness/reporters.hpp"
#include "harness/suite.hpp"

namespace dlbench {

namespace {

void add_common_flags(FlagSet& flags, CommonOptions& o) {
  flags.add_list("shapes", "shape tables by name (shapes/<kernel>/NAME.csv) or path; comma-separated", &o.shapes);
  flags.add_list("backends", "backends to run (default: all registered; see --list)", &o.backends);
  flags.add_list("precisions", "precisions to run (default: all)", &o.precisions);
  flags.add_list("problem", "run these canonical problem strings instead of tables (see README)",
                 &o.problems);
  flags.add_string("shapes_dir", "DIR", "look for shape tables here first", &o.shapes_dir);
  flags.add_string("csv", "FILE", "write one CSV row per case to FILE, as each case finishes", &o.csv);
  flags.add_bool("list", "list the cases and their status (runnable or skipped, and why) without running", &o.list);
  flags.add_int("threads", "CPU backends: worker threads", &o.threads, 1);
  flags.add_int("device", "device backends: device index", &o.device, 0);
  flags.add_int("autotune",
                "backends with algorithm choice: 0 = the library's heuristic pick; N = time its top N candidates "
                "per case and keep the fastest",
                &o.autotune, 0);
  flags.add_int("workspace_mb", "device backends: scratch memory a library call may use, MiB", &o.workspace_mb, 0);
  flags.add_choice("cache", {"auto", "cold", "hot"},
                   "cold: caches flushed before each sample, one call per sample; hot: a batch of calls (a graph "
                   "on GPUs) per sample; auto: cold on GPUs, hot on CPUs",
                   &o.cache);
  flags.add_int("seed", "seed of the random inputs (each case derives its own from it and its name)", &o.seed, 0);
  flags.add_int("verify_samples", "output elements checked for problems too large for a full check",
                &o.verify_samples, 1);
  flags.add_double("warmup", "seconds of untimed calls before sampling", &o.sampler.warmup_s, 0);
  flags.add_double("sample_time", "seconds per sample (calls are repeated to fill it)", &o.sampler.sample_s, 0);
  flags.add_int("min_samples", "samples to take at least", &o.sampler.min_samples, 1);
  flags.add_double("min_time", "measured seconds per case at least", &o.sampler.min_time_s, 0);
  flags.add_double("max_time", "seconds per case at most, noise target met or not", &o.sampler.max_time_s, 0);
  flags.add_double("noise", "target coefficient of variation of the samples, percent", &o.sampler.noise_pct, 0);
}

void print_list(const Suite& suite, const std::vector<std::unique_ptr<Case>>& cases) {
  std::printf("Backends:\n");
  for (const auto& b : suite.backends())
    std::printf("  %-10s %s\n", b.name.c_str(),
                b.unavailable_reason.empty() ? (b.library + " on " + b.device).c_str()
                                             : ("unavailable: " + b.unavailable_reason).c_str());
  std::printf("\nCases (--benchmark_filter applies):\n");
  for (const auto& c : cases) {
    if (!selected_by_filter(c->id().name())) continue;
    const Support s = c->support();
    std::printf("  %-70s %s\n", c->id().name().c_str(), s.ok ? "runnable" : ("skipped: " + s.reason).c_str());
  }
}

}  // namespace

int bench_main(int argc, char** argv, Suite& suite) {
  CommonOptions options;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  FlagSet flags(argv[0]);
  add_common_flags(flags, options);
  suite.add_flags(flags);

  // Google Benchmark would answer --help with its own usage and exit; ours covers both.
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(flags.usage().c_str(), stdout);
      return 0;
    }
  Reporters reporters = make_reporters(argc, argv);
  bool list_names = false;  // --benchmark_list_tests: answered here, with the names the reporters print
  for (int i = 1; i < argc; ++i)
    list_names = list_names || std::strcmp(argv[i], "--benchmark_list_tests") == 0 ||
                 std::strcmp(argv[i], "--benchmark_list_tests=true") == 0;
  benchmark::Initialize(&argc, argv);  // strips the --benchmark_* flags it knows

  std::vector<std::unique_ptr<Case>> cases;
  std::unique_ptr<CsvWriter> csv;
  try {
    flags.parse(argc, argv);
    options.sampler.cache = parse_cache_mode(options.cache);  // nullopt for "auto": each timer's own default
    cases = suite.build(options);
    if (!options.list && !options.csv.empty())
      csv = std::make_unique<CsvWriter>(options.csv, csv_columns(suite.columns()));
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], e.what());
    return 2;
  }
  if (options.list) {
    print_list(suite, cases);
    return 0;
  }
  if (list_names) {
    for (const auto& c : cases)
      if (selected_by_filter(c->id().name())) std::printf("%s\n", c->id().name().c_str());
    return 0;
  }

  benchmark::AddCustomContext("dlbench.threads", std::to_string(options.threads));
  benchmark::AddCustomContext(
      "dlbench.timing", "warmup " + std::to_string(options.sampler.warmup_s) + " s, min " +
                            std::to_string(options.sampler.min_samples) + " samples and " +
                            std::to_string(options.sampler.min_time_s) + " s, noise target " +
                            std::to_string(options.sampler.noise_pct) + " %, max " +
                            std::to_string(options.sampler.max_time_s) + " s per case; median reported");
  benchmark::AddCustomContext("dlbench.cache", options.cache == "auto" ? "auto (cold on GPUs, hot on CPUs)"
                                                                      : options.cache);
  for (const auto& b : suite.backends()) {
    benchmark::AddCustomContext("backend." + b.name, b.unavailable_reason.empty()
                                                          ? b.library + " on " + b.device
                                                          : "unavailable: " + b.unavailable_reason);
    for (const auto& [key, value] : b.context) benchmark::AddCustomContext(b.name + "." + key, value);
  }

  CaseRunner runner(std::move(cases), options.sampler, options.threads, std::move(csv));
  runner.register_benchmarks();
  const std::size_t ran = benchmark::RunSpecifiedBenchmarks(reporters.display.get(), reporters.file.get());
  benchmark::Shutdown();

  const Outcome& o = runner.outcome();
  std::fprintf(stderr, "dlbench: %d ok, %d skipped, %d failed%s%s\n", o.ok, o.skipped, o.failed,
               options.csv.empty() ? "" : "; CSV in ", options.csv.c_str());
  if (ran == 0) {
    std::fprintf(stderr, "%s: error: no case matched --benchmark_filter\n", argv[0]);
    return 1;
  }
  return o.failed > 0 ? 1 : 0;
}

}  // namespace dlbench
