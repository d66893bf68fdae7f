// The main every benchmark binary shares (declared in suite.hpp).
#include <algorithm>
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
  flags.add_list("target",
                 "hardware target files (spec rows or peak_bench's measured rows) over the built-in spec table; "
                 "comma-separated (default: every *.csv in $DLBENCH_TARGET_DIR, else ~/.config/dlbench/targets)",
                 &o.targets);
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

void print_list(const Suite& suite, const std::vector<std::unique_ptr<Case>>& cases, const TargetSet& targets) {
  std::printf("Backends:\n");
  for (const auto& b : suite.backends())
    std::printf("  %-10s %s\n", b.name.c_str(),
                b.unavailable_reason.empty() ? (b.library + " on " + b.device).c_str()
                                             : ("unavailable: " + b.unavailable_reason).c_str());
  // The roofs the rows would be placed under, once per device.
  std::string sources;
  for (const auto& source : targets.sources()) sources += (sources.empty() ? "" : "; ") + source;
  std::printf("\nTargets (from %s):\n", sources.c_str());
  const std::vector<DeviceIdentity> devices = devices_of(cases);
  for (const DeviceIdentity& device : devices) {
    const ResolvedTarget t = targets.resolve(device);
    std::printf("  %s: %s\n    %s\n", t.id.c_str(), device.describe().c_str(), t.describe().c_str());
  }
  if (devices.empty()) std::printf("  none: no backend here can tell which device it runs on\n");
  std::printf("\nCases (--benchmark_filter applies):\n");
  for (const auto& c : cases) {
    if (!selected_by_filter(c->id().name())) continue;
    const Support s = c->support();
    std::printf("  %-70s %s\n", c->id().name().c_str(), s.ok ? "runnable" : ("skipped: " + s.reason).c_str());
  }
}

// Under a group of more than one process, what must be refused or stripped before Google Benchmark sees argv:
// random interleaving (each rank would shuffle differently and wait in a different case's collective), and
// --benchmark_out on ranks other than 0 (they would all write the same file). Returns an error, or "".
std::string prepare_group_argv(ProcessGroup& group, int& argc, char** argv) {
  if (group.size() == 1) return "";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--benchmark_enable_random_interleaving", 0) == 0 &&
        arg != "--benchmark_enable_random_interleaving=false")
      return "--benchmark_enable_random_interleaving cannot be used with more than one rank: each rank would run "
             "the cases in its own order and wait for the others in a different collective";
    if (!group.is_root() && arg.rfind("--benchmark_out", 0) == 0) continue;
    argv[kept++] = argv[i];
  }
  argc = kept;
  return "";
}

// argv without the program path, as one string: what every rank must have been started with.
std::string arguments_of(int argc, char** argv) {
  std::string out;
  for (int i = 1; i < argc; ++i) out += (i > 1 ? " " : "") + std::string(argv[i]);
  return out;
}

}  // namespace

int bench_main(int argc, char** argv, Suite& suite) {
  SingleProcess alone;
  return bench_main(argc, argv, suite, alone);
}

int bench_main(int argc, char** argv, Suite& suite, ProcessGroup& group) {
  const bool root = group.is_root();
  const auto fail = [&](const std::string& message) {
    if (root) std::fprintf(stderr, "%s: error: %s\n", argv[0], message.c_str());
    return 2;
  };
  // A launch that gives ranks different arguments (an MPMD command line, a wrapper script that differs per node)
  // would register different cases on different ranks and hang in the first collective: stop every rank at once.
  std::string rank0_args, other_args;
  if (const int r = first_mismatch(group, arguments_of(argc, argv), &rank0_args, &other_args); r >= 0)
    return fail("ranks were started with different arguments; every rank must run the same cases.\n  rank 0: '" +
                rank0_args + "'\n  rank " + std::to_string(r) + ": '" + other_args + "'");

  CommonOptions options;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.group = &group;
  FlagSet flags(argv[0]);
  add_common_flags(flags, options);
  suite.add_flags(flags);

  // Google Benchmark would answer --help with its own usage and exit; ours covers both.
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      if (root) std::fputs(flags.usage().c_str(), stdout);
      return 0;
    }
  if (const std::string e = prepare_group_argv(group, argc, argv); !e.empty()) return fail(e);
  Reporters reporters = make_reporters(argc, argv, suite.console_columns());
  if (!root) reporters = {std::make_unique<SilentReporter>(), nullptr};
  bool list_names = false;  // --benchmark_list_tests: answered here, with the names the reporters print
  for (int i = 1; i < argc; ++i)
    list_names = list_names || std::strcmp(argv[i], "--benchmark_list_tests") == 0 ||
                 std::strcmp(argv[i], "--benchmark_list_tests=true") == 0;
  benchmark::Initialize(&argc, argv);  // strips the --benchmark_* flags it knows

  // Errors are agreed: a table that rank 0 cannot read, say, must stop every rank, not only rank 0.
  std::vector<std::unique_ptr<Case>> cases;
  std::unique_ptr<CsvWriter> csv;
  std::unique_ptr<TargetSet> targets;
  RankStatus built;
  try {
    flags.parse(argc, argv);
    targets = std::make_unique<TargetSet>(load_target_set(options.targets));
    options.sampler.cache = parse_cache_mode(options.cache);  // nullopt for "auto": each timer's own default
    cases = suite.build(options);
    if (root && !options.list && !options.csv.empty())
      csv = std::make_unique<CsvWriter>(options.csv, csv_columns(suite.columns()));
  } catch (const InputError& e) {
    built = {RankStatus::failed, e.what()};
  } catch (const std::exception& e) {
    // Not bad input, but the run cannot start either (out of memory reading a table, say).
    built = {RankStatus::failed, e.what()};
  }
  built = agree_status(group, built);
  if (built.code != RankStatus::ok) return fail(built.reason);
  // Same arguments can still give different cases: different builds of the binary on different nodes, or a
  // backend missing on one of them.
  std::string case_names;
  for (const auto& c : cases) case_names += c->id().name() + "\n";
  if (const int r = first_mismatch(group, case_names, &rank0_args, &other_args); r >= 0)
    return fail("rank " + std::to_string(r) + " built different cases from rank 0's (" +
                std::to_string(std::count(other_args.begin(), other_args.end(), '\n')) + " against " +
                std::to_string(std::count(rank0_args.begin(), rank0_args.end(), '\n')) +
                "): are all ranks running the same build of " + argv[0] + "?");

  if (options.list) {
    if (root) print_list(suite, cases, *targets);
    return 0;
  }
  if (list_names) {
    if (root)
      for (const auto& c : cases)
        if (selected_by_filter(c->id().name())) std::printf("%s\n", c->id().name().c_str());
    return 0;
  }

  benchmark::AddCustomContext("dlbench.threads", std::to_string(options.threads));
  benchmark::AddCustomContext("dlbench.processes", group.describe());
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

  CaseRunner runner(std::move(cases), options.sampler, options.threads, std::move(csv), group);
  runner.set_targets(targets.get());
  runner.on_row([&suite](const Case& c, const CsvRow& row) { suite.record(c, row); });
  std::string target_sources;
  for (const auto& source : targets->sources()) target_sources += (target_sources.empty() ? "" : "; ") + source;
  benchmark::AddCustomContext("dlbench.targets", target_sources);
  for (const auto& [key, value] : runner.target_context()) benchmark::AddCustomContext(key, value);
  runner.register_benchmarks();
  const std::size_t ran = benchmark::RunSpecifiedBenchmarks(reporters.display.get(), reporters.file.get());
  benchmark::Shutdown();

  const Outcome& o = runner.outcome();
  if (root)
    std::fprintf(stderr, "dlbench: %d ok, %d skipped, %d failed%s%s\n", o.ok, o.skipped, o.failed,
                 options.csv.empty() ? "" : "; CSV in ", options.csv.c_str());
  if (ran == 0) {
    if (root) std::fprintf(stderr, "%s: error: no case matched --benchmark_filter\n", argv[0]);
    return 1;
  }
  const int suite_status = root ? suite.finish(options) : 0;
  return o.failed > 0 || suite_status != 0 ? 1 : 0;
}

}  // namespace dlbench
