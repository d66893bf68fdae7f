// The `cpu` peak backend: the host CPU's memory bandwidth (triad.hpp) and fp32/fp64 peak (fma_loop.hpp), on the
// run's threads.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "fma_loop.hpp"
#include "harness/host_info.hpp"
#include "peak/peak_backend.hpp"
#include "triad.hpp"

namespace dlbench {

namespace {

constexpr double kTriadScalar = 3.0;  // STREAM's

class TriadOperation final : public Operation {
 public:
  explicit TriadOperation(std::unique_ptr<cpu::Triad> triad) : triad_(std::move(triad)) {}
  void run() override { triad_->run(kTriadScalar); }
  cpu::Triad& triad() { return *triad_; }

 private:
  std::unique_ptr<cpu::Triad> triad_;
};

// Each thread runs the chains of its own state block (a cache line apart from the others', so no false sharing).
template <class T>
class FmaOperation final : public Operation {
 public:
  FmaOperation(int threads, std::int64_t iterations)
      : threads_(threads), iterations_(iterations), per_thread_(cpu::FmaLoop::kChains * cpu::FmaLoop::lanes(sizeof(T) == 8)) {
    stride_ = (per_thread_ * sizeof(T) + 63) / 64 * 64 / sizeof(T);
    state_.resize(stride_ * threads_);
    start_.resize(per_thread_);
    // Chain i starts at 1 + i/16, the same in each of its lanes: exact in both types, all in [1, 2).
    const int lanes = cpu::FmaLoop::lanes(sizeof(T) == 8);
    for (int i = 0; i < per_thread_; ++i) start_[i] = T(1) + T(i / lanes) / T(16);
  }

  void run() override {
    // Read through volatile: the compiler must not see a = 1 and fold the chain into x0 + n·b.
    volatile T a = T(1), b = kStep;
    const T va = a, vb = b;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads_; ++t)
      pool.emplace_back([this, t, va, vb] {
        T* s = state_.data() + stride_ * t;
        std::copy(start_.begin(), start_.end(), s);
        if constexpr (sizeof(T) == 8)
          cpu::fma_loop_f64(s, iterations_, va, vb);
        else
          cpu::fma_loop_f32(s, iterations_, va, vb);
      });
    for (auto& th : pool) th.join();
  }

  // Every lane of every thread must hold exactly start + iterations·b.
  Verification check() const {
    Verification v;
    v.mode = "full";
    v.tolerance = 0;
    for (int t = 0; t < threads_; ++t)
      for (int i = 0; i < per_thread_; ++i) {
        const double expected = static_cast<double>(start_[i]) + static_cast<double>(iterations_) * kStep;
        const double got = state_[stride_ * t + i];
        const double err = std::isnan(got) ? INFINITY : std::fabs(got - expected) / expected;
        v.error = std::max(v.error, err);
      }
    v.passed = v.error <= v.tolerance;
    return v;
  }

  static constexpr T kStep = T(1.0 / 1048576);  // 2^-20: a multiple of the ulp of every x below 16

 private:
  int threads_;
  std::int64_t iterations_;
  int per_thread_;
  std::size_t stride_ = 0;
  std::vector<T> state_, start_;
};

class CpuPeakBackend final : public PeakBackend {
 public:
  explicit CpuPeakBackend(const BackendSettings& s) : threads_(std::max(1, s.threads)) {}

  Availability availability() const override { return {}; }
  std::string device() const override {
    return cpu_model() + ", " + cpu::fma_isa() + ", " + std::to_string(threads_) + " threads";
  }
  std::string library() const override { return "dlbench loops (" + cpu::fma_isa() + ")"; }
  DeviceIdentity hardware() const override { return host_cpu(threads_); }
  std::vector<std::pair<std::string, std::string>> context() const override {
    return {{"fma_isa", cpu::fma_isa()}, {"threads", std::to_string(threads_)}};
  }

  std::vector<PeakProbe> probes(std::size_t bandwidth_bytes) const override {
    // STREAM's rule: each array at least four times the last-level cache, so no part of it is served from cache.
    const double llc = host_cpu(threads_).l2_mb * 1e6;
    std::size_t array = bandwidth_bytes > 0 ? bandwidth_bytes
                                            : std::max<std::size_t>(std::size_t{256} << 20, static_cast<std::size_t>(4 * llc));
    array = array / 8 * 8;
    const double n = static_cast<double>(array / 8);
    std::vector<PeakProbe> out;
    out.push_back({"triad", "fp64", true, 2 * n, 24 * n,
                   "3 x " + std::to_string(array >> 20) + " MiB fp64, " + std::to_string(threads_) + " threads"});
    for (const bool fp64 : {false, true}) {
      const std::int64_t it = iterations();
      out.push_back({"fma", fp64 ? "fp64" : "fp32", false, cpu::FmaLoop::flops(fp64, threads_, it), 0,
                     std::to_string(cpu::FmaLoop::kChains) + " chains x " + std::to_string(cpu::FmaLoop::lanes(fp64)) +
                         " lanes x " + std::to_string(it) + " steps, " + std::to_string(threads_) + " threads"});
    }
    return out;
  }

  Prepared prepare(const PeakProbe& probe) override {
    Prepared p;
    p.implementation = probe.name + ":" + (probe.name == "triad" ? "scalar loop, compiler-vectorised" : cpu::fma_isa());
    if (probe.name == "triad") {
      auto triad = std::make_unique<cpu::Triad>(static_cast<std::size_t>(probe.bytes / 24), threads_, 0x7417ad);
      auto op = std::make_unique<TriadOperation>(std::move(triad));
      op->run();
      Verification v;
      v.mode = "sampled";
      v.tolerance = 1e-15;  // two roundings (or one, contracted into an FMA) against a long-double reference
      v.error = op->triad().max_relative_error(kTriadScalar, 4096);
      v.passed = v.error <= v.tolerance;
      p.check = v;
      p.op = std::move(op);
    } else if (probe.precision == "fp32") {
      auto op = std::make_unique<FmaOperation<float>>(threads_, iterations());
      op->run();
      p.check = op->check();
      p.op = std::move(op);
    } else {
      auto op = std::make_unique<FmaOperation<double>>(threads_, iterations());
      op->run();
      p.check = op->check();
      p.op = std::move(op);
    }
    return p;
  }

 private:
  // About 10 ms per call at 3 GHz with two FMA units: 16 vector FMAs per step take 8 cycles.
  static std::int64_t iterations() { return std::int64_t{1} << 22; }

  int threads_;
};

}  // namespace

DLBENCH_REGISTER_BACKEND(PeakBackend, "cpu", CpuPeakBackend);

}  // namespace dlbench
