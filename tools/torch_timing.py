"""How the PyTorch comparison tools (torch_gemm.py, torch_conv.py, torch_rnn.py) time a call on a CUDA GPU, the
same way for every kernel so that their figures stay comparable with dlbench's and with each other: dlbench's rules
(MEASURE.md §1, bench/harness/sampler.cpp, bench/cuda/cuda_timer.cpp) written once in Python.

  - warm-up: at least 3 calls and --warmup seconds; its last calls estimate the call time;
  - samples timed with CUDA events until at least --min-samples samples and --min-time measured seconds are in and
    the CoV is at most --noise percent, or --max-time seconds have passed since sampling began; the median per call,
    min, max, CoV and the sample count are reported (summarize: dlbench's SampleStats);
  - cold (the default, as dlbench on a GPU): a buffer of twice the L2 size written (fill_ with a value that changes
    per sample) before each sample, outside the event pair, one call per event pair; twice and a changing value
    because dlbench's CUDA timer flushes so, and the same flush on both sides keeps the comparison about the kernel;
  - hot: a CUDA graph of R calls (R sized to --sample-time from the warm-up) replayed per event pair, or the same R
    calls issued from Python when capture fails (the `method` column says which);
  - samples are queued in chunks behind a short spin kernel (torch.cuda._sleep), so the GPU never waits for Python
    between the events of a sample (nvbench's "blocking kernel"); one synchronisation per chunk.
What the tools' command lines and run loops share (flags, the CSV, the --time-budget cut-off) is torch_runner.py's.
PyTorch is imported late (import_torch), so --help, --dry-run and the unit tests work without it.
"""

from __future__ import annotations

import math
import statistics
import sys
import time

from dlbench_tables import format_number

FALLBACK_L2_BYTES = 50 * 1024 * 1024  # H100's L2, when the properties do not say
MAX_CHUNK = 64          # samples queued per synchronisation: 4 stream operations each stays well inside the queue
CHUNK_GPU_S = 0.02      # aim for about this much GPU time per chunk: bounded overshoot of --max-time
MAX_GRAPH_CALLS = 2000  # calls per captured graph: a 5 ms sample of microsecond kernels, not more

# dlbench's per-precision tolerances (kernels/common/precision.cpp), for the same relative-norm metric.
TOLERANCE = {"fp32": 1e-4, "tf32": 5e-3, "fp16": 5e-3, "bf16": 1e-2, "fp8e4m3": 1e-2, "fp8e5m2": 1e-2,
             "int8": 0.0}


class Unsupported(Exception):
    """This PyTorch or GPU cannot run the case: a skipped row, not a failure."""


# --------------------------------------------------------------------------------------------- statistics

def summarize(per_run):
    """dlbench's SampleStats: median (mean of the middle two for an even count), min, max, CoV = stdev(n-1)/mean."""
    n = len(per_run)
    s = sorted(per_run)
    median = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    mean = sum(s) / n
    cov = statistics.stdev(s) / mean if n > 1 and mean > 0 else 0.0
    return {"median": median, "min": s[0], "max": s[-1], "cov": cov, "samples": n}


def stop_rule(per_run, measured_s, elapsed_s, cfg):
    """(stop, converged) after a chunk: dlbench's rule (bench/harness/sampler.cpp)."""
    enough = len(per_run) >= cfg.min_samples and measured_s >= cfg.min_time
    if enough and summarize(per_run)["cov"] * 100.0 <= cfg.noise:
        return True, True
    return elapsed_s >= cfg.max_time, False


def timing_fields(per_run, runs, converged, method, flops):
    """The timing columns of an ok row (time_ms median/min/max, CoV, samples, TFLOP/s of `flops`)."""
    st = summarize(per_run)
    return {"time_ms": format_number(st["median"] * 1e3), "time_ms_min": format_number(st["min"] * 1e3),
            "time_ms_max": format_number(st["max"] * 1e3), "cov_pct": format_number(st["cov"] * 100),
            "samples": st["samples"], "runs_per_sample": runs,
            "tflops": format_number(flops / st["median"] / 1e12), "method": method,
            "converged": "true" if converged else "false"}


def relative_error(pairs):
    """‖got − ref‖₂ / ‖ref‖₂ over (got, ref) pairs, dlbench's metric (kernels/common/error_metric.hpp); NaN when a
    value the kernel produced is not finite, so it can never pass."""
    num = den = 0.0
    for got, ref in pairs:
        if not math.isfinite(got):
            return math.nan
        num += (got - ref) ** 2
        den += ref ** 2
    return math.sqrt(num / den) if den > 0 else math.sqrt(num)


def tensor_relative_error(torch, got, ref):
    """relative_error over two tensors of the same length, computed by PyTorch (on their device) rather than
    element by element in Python: an RNN's checked outputs run to millions of values."""
    got, ref = got.reshape(-1).double(), ref.reshape(-1).double()
    if not bool(torch.isfinite(got).all()):
        return math.nan
    diff = got - ref
    num, den = float((diff * diff).sum().item()), float((ref * ref).sum().item())
    return math.sqrt(num / den) if den > 0 else math.sqrt(num)


# --------------------------------------------------------------------------------------------- the GPU part

def import_torch(prog):
    try:
        import torch  # noqa: PLC0415 (imported late so --help and --dry-run work without PyTorch)
    except ImportError as e:
        fatal(f"{prog}: cannot import torch ({e}); install PyTorch with CUDA, or use --dry-run to check tables and "
              "problems without it")
    return torch


def fatal(message):
    """Ends the run with exit status 2, the tools' status for a run that could not start (no PyTorch, no GPU)."""
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(2)


def cudnn_version(torch):
    """torch.backends.cudnn.version(), or why there is none: PyTorch raises when the cuDNN it finds on the library
    path is older than the one it was built with, which the `cudnn` column should say rather than end the run on."""
    try:
        return str(torch.backends.cudnn.version())
    except Exception as e:  # noqa: BLE001
        return f"unavailable ({type(e).__name__}: {str(e)[:120]})"


class Timer:
    """Holds the device state shared by the cases (the L2 flush buffer, event pairs, the spin kernel) and times
    calls with it. A tool's runner derives from it and adds how to build, check and run its cases."""

    def __init__(self, torch, cfg, prog):
        self.torch = torch
        self.cfg = cfg
        self.prog = prog
        if not torch.cuda.is_available():
            fatal(f"{prog}: torch.cuda.is_available() is False: no usable CUDA GPU (torch {torch.__version__}, "
                  f"built for CUDA {torch.version.cuda})")
        if cfg.device >= torch.cuda.device_count():
            fatal(f"{prog}: --device={cfg.device}, but only {torch.cuda.device_count()} GPU(s)")
        torch.cuda.set_device(cfg.device)
        self.device = torch.device("cuda", cfg.device)
        props = torch.cuda.get_device_properties(cfg.device)
        self.device_name = torch.cuda.get_device_name(cfg.device)
        self.capability = (props.major, props.minor)
        l2 = int(getattr(props, "L2_cache_size", 0) or 0)
        self.l2_bytes = l2 if l2 > 0 else FALLBACK_L2_BYTES
        self.flush = (torch.empty(2 * self.l2_bytes, dtype=torch.uint8, device=self.device)
                      if cfg.cache == "cold" else None)
        self.flushes = 0
        self.pairs = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
                      for _ in range(MAX_CHUNK)]
        self.sleep = getattr(torch.cuda, "_sleep", None)
        self.enqueue_s_per_sample = 50e-6  # first guess of Python's cost to queue one sample; measured after

    def versions(self):
        """The columns every row of the run carries: what PyTorch and which GPU."""
        return {"torch": self.torch.__version__, "cuda": str(self.torch.version.cuda), "device": self.device_name}

    def banner(self):
        return (f"torch {self.torch.__version__} (CUDA {self.torch.version.cuda}) on {self.device_name}, capability "
                f"{self.capability[0]}.{self.capability[1]}, L2 {self.l2_bytes / 2**20:.0f} MiB, "
                f"cache={self.cfg.cache}")

    def block(self, n_samples):
        """Spin the stream while Python queues n_samples samples, so no launch gap falls inside an event pair."""
        if self.sleep is None:
            return
        seconds = min(0.05, 1.5 * n_samples * self.enqueue_s_per_sample + 0.0005)
        self.sleep(int(seconds * 2.0e9))  # cycles at ~2 GHz; a slower clock only makes the wait longer

    def warmup(self, call):
        """At least 3 calls and --warmup seconds; returns the median of the last few call times (seconds)."""
        t0 = time.perf_counter()
        times = []
        start, end = self.pairs[0]
        while len(times) < 3 or time.perf_counter() - t0 < self.cfg.warmup:
            start.record()
            call()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / 1e3)
        return statistics.median(times[-5:])

    def capture(self, call, runs):
        """A CUDA graph of `runs` calls, or None when capture fails (the caller then loops in Python)."""
        t = self.torch
        try:
            side = t.cuda.Stream()
            side.wait_stream(t.cuda.current_stream())
            with t.cuda.stream(side):  # PyTorch's recipe: warm up on a side stream before capturing
                for _ in range(3):
                    call()
            t.cuda.current_stream().wait_stream(side)
            graph = t.cuda.CUDAGraph()
            with t.cuda.graph(graph):
                for _ in range(runs):
                    call()
            graph.replay()
            t.cuda.synchronize()
            return graph
        except Exception as e:  # noqa: BLE001 (any capture failure falls back to plain launches)
            print(f"    graph capture failed ({type(e).__name__}: {e}); timing plain launches", flush=True)
            try:
                t.cuda.synchronize()
            except Exception:  # noqa: BLE001
                pass
            return None

    def sample(self, call, est_call_s):
        """Samples until the stop rule holds. Returns (per-run seconds list, runs per sample, converged, method)."""
        cfg = self.cfg
        if cfg.cache == "cold":
            runs, graph, method = 1, None, "cold: L2 flush + 1 call per event pair"
            sample_gpu_s = est_call_s + 40e-6  # the flush writes ~100 MB: some 30-40 µs on an H100
        else:
            runs = max(1, min(MAX_GRAPH_CALLS, math.ceil(cfg.sample_time / max(est_call_s, 1e-7))))
            graph = self.capture(call, runs)
            method = f"hot: graph of {runs} calls per event pair" if graph is not None else \
                f"hot: {runs} calls per event pair (no graph)"
            sample_gpu_s = runs * est_call_s

        def one(i):
            start, end = self.pairs[i]
            if self.flush is not None:
                self.flush.fill_(self.flushes & 0xFF)
                self.flushes += 1
            start.record()
            if graph is not None:
                graph.replay()
            else:
                for _ in range(runs):
                    call()
            end.record()

        per_run, measured = [], 0.0
        converged = False
        t0 = time.perf_counter()
        while True:
            chunk = max(1, min(MAX_CHUNK, int(CHUNK_GPU_S / max(sample_gpu_s, 1e-7))))
            self.block(chunk)
            q0 = time.perf_counter()
            for i in range(chunk):
                one(i)
            self.enqueue_s_per_sample = (time.perf_counter() - q0) / chunk
            self.pairs[chunk - 1][1].synchronize()
            for i in range(chunk):
                start, end = self.pairs[i]
                s = start.elapsed_time(end) / 1e3
                measured += s
                per_run.append(s / runs)
            stop, converged = stop_rule(per_run, measured, time.perf_counter() - t0, cfg)
            if stop:
                break
        graph = None  # its memory pool goes back to the allocator with it
        return per_run, runs, converged, method

    def measure(self, call, flops):
        """Warm-up and sampling of `call`; the timing columns of its row."""
        est = self.warmup(call)
        per_run, runs, converged, method = self.sample(call, est)
        return timing_fields(per_run, runs, converged, method, flops)

    def guarded(self, body):
        """Runs one case's body -> (status, reason, result). Unsupported becomes a skipped row and any other error a
        failed row with the reason; the body may put what it already knows (the op it built) into the dict it is
        handed, and that goes into the failed row too. The device is synchronised and its cache emptied after
        every case, since the next case may need the memory this one held."""
        t = self.torch
        known = {}
        try:
            return body(known)
        except Unsupported as e:
            return "skipped", str(e), {}
        except Exception as e:  # noqa: BLE001 (one case's failure is its row, not the end of the run)
            message = f"{type(e).__name__}: {e}".replace("\n", " ")
            return "failed", message[:400], known
        finally:
            try:
                t.cuda.synchronize()
                t.cuda.empty_cache()
            except Exception:  # noqa: BLE001 (a broken context shows up in the next case's row)
                pass
