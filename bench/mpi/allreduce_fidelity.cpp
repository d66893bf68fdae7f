// allreduce_fidelity: what the harness adds to an allreduce's time. Run it as allreduce_bench is run
// (mpirun -np N allreduce_fidelity). For each size of a sweep (fp32 sum, out of place) it times, interleaved over
// several rounds in one run:
//   harness: the MPI backend's case through measure(), exactly as allreduce_bench does (barrier before each sample,
//            hot samples, the slowest rank's time per sample, median);
//   bare:    the loop of OSU's osu_allreduce and nccl-tests: a barrier, then MPI_Allreduce back to back between two
//            MPI_Wtime calls on every rank, the slowest rank's mean per call;
//   bare_synced: the same loop with a barrier every `k` calls, inside the timed region, k being the harness's calls
//            per sample: whether keeping the ranks in step, as the harness's per-sample barrier does, changes the
//            collective's own speed (ranks that drift apart in a long loop meet unexpected messages);
// and reports harness / bare for the median and for the mean over the harness's samples (1.00: the harness adds
// nothing). Each figure is the median over the rounds, so one round disturbed by the host does not decide it.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "allreduce/allreduce_case.hpp"
#include "allreduce/allreduce_table.hpp"
#include "common/format.hpp"
#include "common/input_error.hpp"
#include "harness/csv_writer.hpp"
#include "harness/flags.hpp"
#include "harness/stats.hpp"
#include "mpi/mpi_process_group.hpp"

using namespace dlbench;

namespace {

// Seconds per MPI_Allreduce of `count` floats over a loop lasting about `budget_s`, the slowest rank's; with
// sync_every > 0, a barrier after every sync_every calls, counted in the time.
double bare_seconds(std::int64_t count, double estimate_s, double budget_s, int sync_every = 0) {
  std::vector<float> in(static_cast<std::size_t>(count), 1.0f), out(static_cast<std::size_t>(count));
  const auto call = [&] { MPI_Allreduce(in.data(), out.data(), static_cast<int>(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); };
  for (int i = 0; i < 5; ++i) call();  // warm-up, as OSU's skip iterations
  // Every rank must make the same number of calls: the count comes from rank 0's estimate.
  int iters = static_cast<int>(std::clamp(budget_s / std::max(estimate_s, 1e-7), 10.0, 1e6));
  MPI_Bcast(&iters, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  for (int i = 0; i < iters; ++i) {
    call();
    if (sync_every > 0 && (i + 1) % sync_every == 0) MPI_Barrier(MPI_COMM_WORLD);
  }
  double per_call = (MPI_Wtime() - t0) / iters;
  MPI_Allreduce(MPI_IN_PLACE, &per_call, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return per_call;
}

}  // namespace

int main(int argc, char** argv) {
  MpiProcessGroup group(argc, argv);
  std::string sweep = "8:64M:2", csv_path;
  int rounds = 5;
  double bare_time = 0.3;
  SamplerConfig sampler;
  FlagSet flags(argv[0]);
  flags.add_string("sweep", "MIN:MAX:FACTOR", "sizes per rank, bytes (K, M, G allowed)", &sweep);
  flags.add_int("rounds", "interleaved rounds per size", &rounds, 1);
  flags.add_double("bare_time", "seconds of each bare loop", &bare_time, 0);
  flags.add_double("max_time", "the harness's per-case limit, seconds (allreduce_bench's default)", &sampler.max_time_s, 0);
  flags.add_string("csv", "FILE", "write one row per size", &csv_path);
  std::vector<AllReduceTableRow> sizes;
  try {
    if (!flags.parse(argc, argv)) return 0;
    sizes = sweep_rows(sweep, "--sweep");
  } catch (const InputError& e) {
    if (group.is_root()) std::fprintf(stderr, "%s: error: %s\n", argv[0], e.what());
    return 2;
  }
  BackendSettings settings;
  settings.group = &group;
  const std::shared_ptr<AllReduceBackend> mpi = Registry<AllReduceBackend>::instance().create("mpi", settings);
  std::unique_ptr<CsvWriter> csv;
  const std::vector<std::string> columns{"bytes", "ranks", "harness_us", "harness_mean_us", "bare_us",
                                         "bare_synced_us", "ratio_median", "ratio_mean", "ratio_synced", "wrong"};
  if (group.is_root() && !csv_path.empty()) csv = std::make_unique<CsvWriter>(csv_path, columns);
  if (group.is_root())
    std::printf("%-10s %12s %12s %12s %12s %9s %9s %9s\n", "size", "harness_us", "h_mean_us", "bare_us", "synced_us",
                "median", "mean", "synced");

  int status = 0;
  for (const auto& row : sizes) {
    const AllReduceProblem p{*row.count_in(DataType::f32), DataType::f32, ReduceOp::sum, false};
    AllReduceCase c({"allreduce", "mpi", "fp32", "fidelity", row.label, "sum"}, p, mpi, group, 1);
    if (!c.support().ok) {
      if (group.is_root()) std::printf("%-10s skipped: %s\n", size_label(*row.bytes).c_str(), c.support().reason.c_str());
      continue;
    }
    Prepared prepared = c.prepare();
    const Verification v = prepared.verify();
    const double wrong = group.sum(static_cast<double>(v.wrong));
    std::vector<double> harness, harness_mean, bare, synced;
    for (int r = 0; r < rounds; ++r) {
      const Measurement m = measure(*prepared.op, sampler, &group);
      harness.push_back(m.per_run.median);
      harness_mean.push_back(m.per_run.mean);
      bare.push_back(bare_seconds(p.count, m.per_run.median, bare_time));
      synced.push_back(bare_seconds(p.count, m.per_run.median, bare_time, m.runs_per_sample));
    }
    const double h = summarize(harness).median, hm = summarize(harness_mean).median, b = summarize(bare).median;
    const double bs = summarize(synced).median;
    if (wrong > 0) status = 1;
    if (group.is_root()) {
      std::printf("%-10s %12.3f %12.3f %12.3f %12.3f %9.3f %9.3f %9.3f%s\n", size_label(*row.bytes).c_str(),
                  h * 1e6, hm * 1e6, b * 1e6, bs * 1e6, h / b, hm / b, h / bs, wrong > 0 ? "  WRONG RESULTS" : "");
      std::fflush(stdout);
      if (csv)
        csv->write({{"bytes", std::to_string(*row.bytes)},
                    {"ranks", std::to_string(group.size())},
                    {"harness_us", format_number(h * 1e6)},
                    {"harness_mean_us", format_number(hm * 1e6)},
                    {"bare_us", format_number(b * 1e6)},
                    {"bare_synced_us", format_number(bs * 1e6)},
                    {"ratio_synced", format_number(h / bs)},
                    {"ratio_median", format_number(h / b)},
                    {"ratio_mean", format_number(hm / b)},
                    {"wrong", format_number(wrong)}});
    }
  }
  return status;
}
