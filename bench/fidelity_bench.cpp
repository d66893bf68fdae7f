// fidelity_bench: how faithfully the harness reports a kernel's speed. For each problem it times the same
// prepared operation two ways, interleaved over several rounds in one process:
//   harness: the sampler every benchmark uses (warm-up, samples, median);
//   bare:    one steady_clock pair around N back-to-back calls, no per-sample bookkeeping at all;
// and prints harness throughput / bare throughput (1.0 = the harness adds nothing; the goal is >= 0.98 for
// calls of 100 µs and more). Two ratios: `fidelity` compares what gemm_bench reports (the median) with the bare
// loop's mean; `fidelity_mean` compares like with like (the harness samples' mean), so it isolates the harness's
// own overhead from the choice of statistic: on a noisy host the median sits below the mean.
//
// On a shared host both ratios move by ±20 % from run to run with the neighbours' load, which hides a 2 %
// effect. So it first times an empty operation both ways: the difference per call is the harness's own cost,
// free of the kernel's noise, and bounds the fidelity of any call: t / (t + overhead).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/format.hpp"
#include "common/input_error.hpp"
#include "gemm/gemm_suite.hpp"
#include "harness/csv_writer.hpp"
#include "harness/stats.hpp"

using namespace dlbench;

namespace {

double bare_seconds_per_call(Operation& op, double budget_s, double estimate_s) {
  const long calls = std::max(1L, static_cast<long>(budget_s / std::max(estimate_s, 1e-9)));
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < calls; ++i) op.run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / static_cast<double>(calls);
}

// The two timings of one operation over interleaved rounds, each summarised by its median over the rounds, so
// one round disturbed by the host does not decide the ratio.
struct Comparison {
  double harness = 0;       // the harness's reported figure: median seconds per call
  double harness_mean = 0;  // the harness samples' mean, to compare like with like with the bare loop
  double bare = 0;          // bare loop: mean seconds per call
};

Comparison compare(Operation& op, const SamplerConfig& sampler, int rounds, double bare_time) {
  std::vector<double> harness, harness_mean, bare;
  for (int r = 0; r < rounds; ++r) {
    const Measurement m = measure(op, sampler);
    harness.push_back(m.per_run.median);
    harness_mean.push_back(m.per_run.mean);
    bare.push_back(bare_seconds_per_call(op, bare_time, m.per_run.median));
  }
  return {summarize(harness).median, summarize(harness_mean).median, summarize(bare).median};
}

// A call that does nothing: timing it measures only the loop around it. Not inlinable: GCC devirtualises
// speculatively for the one Operation type it sees here, and an inlined empty body would time an empty loop
// against the harness's real call.
struct NullOperation final : Operation {
  [[gnu::noinline]] void run() override { asm volatile("" ::: "memory"); }
};

// Prints the harness's cost per call against a bare loop, both timing the empty operation.
void report_overhead(const SamplerConfig& sampler, int rounds, double bare_time) {
  NullOperation null_op;
  // Through a volatile pointer so that neither loop can see the type and inline the call away: a real
  // operation is a virtual call in both loops too.
  Operation* volatile null = &null_op;
  const Comparison c = compare(*null, sampler, rounds, bare_time);
  const double overhead = std::max(0.0, c.harness - c.bare);
  std::printf("empty call: harness %.3f ns, bare loop %.3f ns per call (harness - bare = %+.3f ns), so fidelity "
              ">= %.6f for 100 us calls\n\n",
              c.harness * 1e9, c.bare * 1e9, (c.harness - c.bare) * 1e9, 100e-6 / (100e-6 + overhead));
}

}  // namespace

int main(int argc, char** argv) {
  CommonOptions o;
  o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.problems = {"m256n256k256_nn_fp32", "m512n512k512_nn_fp32", "m2048n2048k2048_nn_fp32",
                "m2048n2048k2048_nn_bf16"};
  o.backends = {"onednn"};
  int rounds = 5;
  double bare_time = 1.0;
  FlagSet flags(argv[0]);
  flags.add_list("problem", "canonical GEMM problems to compare", &o.problems);
  flags.add_list("backends", "backends", &o.backends);
  flags.add_int("threads", "CPU backends: worker threads", &o.threads, 1);
  flags.add_int("rounds", "interleaved harness/bare rounds per problem", &rounds, 1);
  flags.add_double("bare_time", "seconds of back-to-back calls per bare round", &bare_time, 0.01);
  flags.add_double("min_time", "harness: measured seconds per case at least", &o.sampler.min_time_s, 0);
  flags.add_double("max_time", "harness: seconds per case at most", &o.sampler.max_time_s, 0);
  flags.add_double("noise", "harness: target CoV, percent", &o.sampler.noise_pct, 0);
  flags.add_string("csv", "FILE", "also write the table as CSV", &o.csv);

  std::vector<std::unique_ptr<Case>> cases;
  GemmSuite suite;
  try {
    if (!flags.parse(argc, argv)) return 0;
    if (o.backends == std::vector<std::string>{"onednn"} && !Registry<GemmBackend>::instance().contains("onednn"))
      throw InputError("this build has no oneDNN backend, the CPU backend fidelity_bench compares by default "
                       "(its bare loop is a host clock: it checks CPU backends; pass --backends=NAME for another)");
    cases = suite.build(o);
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], e.what());
    return 2;
  }

  report_overhead(o.sampler, rounds, bare_time);
  std::unique_ptr<CsvWriter> csv;
  if (!o.csv.empty())
    csv = std::make_unique<CsvWriter>(
        o.csv, std::vector<std::string>{"name", "device", "library", "threads", "rounds", "harness_ms",
                                        "harness_mean_ms", "bare_ms", "harness_tflops", "bare_tflops", "fidelity",
                                        "fidelity_mean"});
  std::printf("%-48s %11s %11s %11s %9s %9s %9s %9s\n", "case", "harness ms", "h mean ms", "bare ms", "h TFLOP/s",
              "b TFLOP/s", "fidelity", "fid mean");
  int failures = 0;
  for (auto& c : cases) {
    const Support s = c->support();
    if (!s.ok) {
      std::printf("%-48s skipped: %s\n", c->id().name().c_str(), s.reason.c_str());
      continue;
    }
    Prepared p = c->prepare();
    // The bare loop is a host clock around the calls, which for an asynchronous (device) operation would time
    // only the launches. Device timing is cross-checked against PyTorch instead (tools/torch_gemm.py).
    if (!dynamic_cast<HostTimer*>(p.op->make_timer().get())) {
      std::printf("%-48s skipped: its timer is not the host clock; device backends are compared with PyTorch "
                  "(tools/torch_gemm.py)\n", c->id().name().c_str());
      continue;
    }
    if (!p.check.passed) {
      std::printf("%-48s failed verification (error %g)\n", c->id().name().c_str(), p.check.error);
      ++failures;
      continue;
    }
    const Comparison cmp = compare(*p.op, o.sampler, rounds, bare_time);
    const double h = cmp.harness, hm = cmp.harness_mean, b = cmp.bare;
    const double fidelity = b / h, fidelity_mean = b / hm;  // throughput ratio = inverse time ratio
    std::printf("%-48s %11.4f %11.4f %11.4f %9.4f %9.4f %9.4f %9.4f\n", c->id().name().c_str(), h * 1e3, hm * 1e3,
                b * 1e3, c->flops() / h / 1e12, c->flops() / b / 1e12, fidelity, fidelity_mean);
    std::fflush(stdout);
    if (csv)
      csv->write({{"name", c->id().name()},
                  {"device", c->device()},
                  {"library", c->library()},
                  {"threads", std::to_string(o.threads)},
                  {"rounds", std::to_string(rounds)},
                  {"harness_ms", format_number(h * 1e3)},
                  {"harness_mean_ms", format_number(hm * 1e3)},
                  {"bare_ms", format_number(b * 1e3)},
                  {"harness_tflops", format_number(c->flops() / h / 1e12)},
                  {"bare_tflops", format_number(c->flops() / b / 1e12)},
                  {"fidelity", format_number(fidelity)},
                  {"fidelity_mean", format_number(fidelity_mean)}});
  }
  return failures ? 1 : 0;
}
