#!/usr/bin/env python3
"""torch_gemm.py: time PyTorch's GEMMs on a CUDA GPU for the same problems and precisions as dlbench's gemm_bench,
so that dlbench's cuBLASLt figures have a reference that people already trust (tools/compare_gemm.py joins the two).

Examples
  tools/torch_gemm.py --shapes=smoke,llm --precisions=bf16,fp8e4m3 --csv=torch.csv
  tools/torch_gemm.py --problem=m8192n8192k8192_nt_bf16 --cache=hot
  tools/torch_gemm.py --shapes=llm --dry-run          # the case list with skip reasons; needs no PyTorch

What is timed, per precision (inputs uniform in [-1, 1] in the input type, made on the GPU):
  fp32  torch.matmul on float32, torch.backends.cuda.matmul.allow_tf32 = False
  tf32  torch.matmul on float32, allow_tf32 = True (cuBLAS rounds the inputs to tf32, accumulates in fp32)
  fp16, bf16  torch.matmul, output in the input type; PyTorch accumulates in fp32 (its reduced-precision
        reduction flags stay at their defaults, as a PyTorch user gets them)
  fp8e4m3  torch._scaled_mm on float8_e4m3fn inputs, unit scales, bf16 output (dlbench's fp8 output type).
        _scaled_mm wants its second operand column-major, which only the "nt" layout (B stored n×k) gives
        without a copy; other layouts, batch > 1, beta != 0 and k or n not multiples of 16 are skipped with the
        reason. alpha goes into scale_a.
  fp8e5m2, int8  not timed (skipped rows, with the reason): cuBLASLt has no e5m2×e5m2 kernel, and int8 is out
        of this tool's scope.
Layouts follow kernels/gemm/gemm_problem.hpp: A is allocated in its stored shape (m×k, or k×m when trans_a) and
passed as a transposed view when transposed, B likewise, so cuBLAS sees the same memory layouts as dlbench's
backend; batch > 1 uses 3-D tensors (torch.matmul → bmm). The output D is allocated once and written with out=.
alpha = 1, beta = 0 rows use torch.matmul; other rows use D.addmm_(A, B, beta=, alpha=) (baddbmm_ when
batched), i.e. D = alpha·op(A)·op(B) + beta·D in place, which is cuBLAS's own beta·C with C = D: no extra kernel.
Before timing, one call is checked against a float64 reference on a sample of output elements (the `error`
column), so a layout mix-up cannot pass as a fast result.

Timing (dlbench's rules, MEASURE.md §1): warm-up of at least 3 calls and --warmup seconds, then samples timed
with CUDA events until at least --min-samples samples and --min-time measured seconds are in and the CoV is at
most --noise percent, or --max-time seconds have passed since sampling began. Reported: the median per call,
min, max, CoV and the sample count.
  --cache=cold (default, as gemm_bench's auto on a GPU): a buffer of twice the L2 size is written (fill_ with
      a value that changes per sample) before each sample, outside the event pair; one call per event pair.
      Twice, and a changing value, because dlbench's CUDA timer flushes so (bench/cuda/cuda_timer.cpp): the
      same flush on both sides keeps the comparison about the GEMM.
  --cache=hot: a CUDA graph of R calls (R sized to --sample-time from the warm-up) replayed per event pair;
      when capture fails, the same R calls issued from Python (the `method` column says which).
Samples are queued in chunks behind a short spin kernel (torch.cuda._sleep), so the GPU never waits for
Python between the events of a sample (nvbench's "blocking kernel"); one synchronisation per chunk.

One case failing (out of memory, a library refusal) is written as status 'failed' with the reason; the others run.
Exit status: 0, or 1 when some case failed, 2 on bad arguments or no usable GPU.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import statistics
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_common import (PRECISIONS, InputError, cli_shapes, default_shapes_dir, format_number,  # noqa: E402
                         load_tables, split_list)

TIMED_PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8e4m3")
DEFAULT_PRECISIONS = "bf16,fp16,tf32,fp32,fp8e4m3"

# dlbench's per-precision tolerances (kernels/common/precision.cpp), for the same relative-norm metric.
TOLERANCE = {"fp32": 1e-4, "tf32": 5e-3, "fp16": 5e-3, "bf16": 1e-2, "fp8e4m3": 1e-2}

COLUMNS = ["problem", "table", "label", "precision", "m", "n", "k", "trans_a", "trans_b", "batch", "alpha", "beta",
           "flops", "time_ms", "time_ms_min", "time_ms_max", "cov_pct", "samples", "runs_per_sample", "tflops",
           "cache", "method", "converged", "error", "tolerance", "status", "reason", "torch_op", "torch", "cuda",
           "device"]

FALLBACK_L2_BYTES = 50 * 1024 * 1024  # H100's L2, when the properties do not say
MAX_CHUNK = 64          # samples queued per synchronisation: 4 stream operations each stays well inside the queue
CHUNK_GPU_S = 0.02      # aim for about this much GPU time per chunk: bounded overshoot of --max-time
MAX_GRAPH_CALLS = 2000  # calls per captured graph: a 5 ms sample of microsecond kernels, not more


# --------------------------------------------------------------------------------------------- case planning

def static_skip_reason(problem, precision):
    """Why this tool does not time (problem, precision), judged from the problem alone; None when it will."""
    if precision == "fp8e5m2":
        return "not timed: torch._scaled_mm has no e5m2 x e5m2 GEMM (cuBLASLt requires at least one e4m3 operand)"
    if precision == "int8":
        return "not timed: int8 (torch._int_mm) is out of this tool's scope"
    if precision == "fp8e4m3":
        if problem.transposes() != "nt":
            return ("fp8 runs the nt layout only (A stored m x k, B stored n x k): torch._scaled_mm takes A "
                    "row-major and B column-major")
        if problem.batch != 1:
            return "fp8: torch._scaled_mm is 2-D only (no batched form)"
        if problem.beta != 0:
            return "fp8: torch._scaled_mm has no beta*C term"
        if problem.k % 16 or problem.n % 16:
            return "fp8: torch._scaled_mm needs k and n to be multiples of 16"
    return None


def plan_cases(shapes, precisions):
    """gemm_bench's order: precision outer, shapes inner; a --problem that names a precision runs in it only."""
    cases = []
    for precision in precisions:
        for shape in shapes:
            if shape.precision is not None and shape.precision != precision:
                continue
            cases.append((shape, precision))
    return cases


def case_seed(problem, precision, seed):
    key = f"{problem.canonical(precision)}/{seed}".encode()
    return zlib.crc32(key)


def base_row(shape, precision, cache):
    p = shape.problem
    return {"problem": p.canonical(precision), "table": shape.table, "label": shape.label, "precision": precision,
            "m": p.m, "n": p.n, "k": p.k, "trans_a": "t" if p.trans_a else "n", "trans_b": "t" if p.trans_b else "n",
            "batch": p.batch, "alpha": format_number(p.alpha), "beta": format_number(p.beta),
            "flops": format_number(p.flops()), "cache": cache}


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


# --------------------------------------------------------------------------------------------- the GPU part

def import_torch():
    try:
        import torch  # noqa: PLC0415 (imported late so --help and --dry-run work without PyTorch)
    except ImportError as e:
        raise SystemExit(f"torch_gemm.py: cannot import torch ({e}); install PyTorch with CUDA, or use --dry-run "
                         "to check tables and problems without it")
    return torch


class Runner:
    """Holds the device state shared by the cases: the L2 flush buffer, event pairs, the spin kernel."""

    def __init__(self, torch, cfg):
        self.torch = torch
        self.cfg = cfg
        if not torch.cuda.is_available():
            raise SystemExit("torch_gemm.py: torch.cuda.is_available() is False: no usable CUDA GPU "
                             f"(torch {torch.__version__}, built for CUDA {torch.version.cuda})")
        if cfg.device >= torch.cuda.device_count():
            raise SystemExit(f"torch_gemm.py: --device={cfg.device}, but only {torch.cuda.device_count()} GPU(s)")
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

    # --- operands and the call

    def dtype(self, precision):
        t = self.torch
        return {"fp32": t.float32, "tf32": t.float32, "fp16": t.float16, "bf16": t.bfloat16}[precision]

    def random(self, shape, dtype, gen):
        """Uniform [-1, 1] in `dtype`; fp8 is drawn in bf16 and converted (uniform_ has no fp8 kernel)."""
        t = self.torch
        if dtype == getattr(t, "float8_e4m3fn", None):
            tmp = t.empty(shape, dtype=t.bfloat16, device=self.device).uniform_(-1.0, 1.0, generator=gen)
            out = tmp.to(dtype)
            del tmp
            return out
        return t.empty(shape, dtype=dtype, device=self.device).uniform_(-1.0, 1.0, generator=gen)

    def build(self, problem, precision, seed):
        """Operands in their stored shapes, the op(A)/op(B) views, D, and the call. Returns a dict."""
        t = self.torch
        p = problem
        gen = t.Generator(device=self.device)
        gen.manual_seed(seed)
        lead = (p.batch,) if p.batch > 1 else ()
        a_shape = lead + ((p.k, p.m) if p.trans_a else (p.m, p.k))
        b_shape = lead + ((p.n, p.k) if p.trans_b else (p.k, p.n))
        d_shape = lead + (p.m, p.n)
        # The legacy flag, the one every PyTorch since 1.7 reads (2.9 adds fp32_precision and warns about this one;
        # mixing the two is an error there, so only this one is ever touched).
        t.backends.cuda.matmul.allow_tf32 = precision == "tf32"

        if precision == "fp8e4m3":
            f8 = getattr(t, "float8_e4m3fn", None)
            if f8 is None or not hasattr(t, "_scaled_mm"):
                raise Unsupported(f"this PyTorch ({t.__version__}) has no float8_e4m3fn / torch._scaled_mm")
            if self.capability < (8, 9):
                raise Unsupported(f"fp8 GEMM needs compute capability 8.9 or newer; this GPU is "
                                  f"{self.capability[0]}.{self.capability[1]}")
            a = self.random(a_shape, f8, gen)
            b = self.random(b_shape, f8, gen)
            op_a, op_b = a, b.t()  # nt: A m×k row-major, op(B) = (n×k row-major)ᵀ = k×n column-major
            scale_a = t.tensor(float(p.alpha), dtype=t.float32, device=self.device)
            scale_b = t.tensor(1.0, dtype=t.float32, device=self.device)
            fast = self.cfg.fp8_fast_accum

            def call():
                r = t._scaled_mm(op_a, op_b, scale_a=scale_a, scale_b=scale_b, out_dtype=t.bfloat16,
                                 use_fast_accum=fast)
                return r[0] if isinstance(r, tuple) else r  # PyTorch < 2.4 also returned amax

            op_name = (f"torch._scaled_mm(float8_e4m3fn, scale_a={format_number(p.alpha)}, scale_b=1, "
                       f"out_dtype=bfloat16, use_fast_accum={fast})")
            return {"a": a, "b": b, "op_a": op_a, "op_b": op_b, "d": None, "c0": None, "call": call, "op": op_name}

        dt = self.dtype(precision)
        a = self.random(a_shape, dt, gen)
        b = self.random(b_shape, dt, gen)
        op_a = a.transpose(-2, -1) if p.trans_a else a
        op_b = b.transpose(-2, -1) if p.trans_b else b
        if p.beta != 0:
            d = self.random(d_shape, dt, gen)
            c0 = d.clone()  # the reference needs C before the checked call overwrites it
        else:
            d = t.empty(d_shape, dtype=dt, device=self.device)
            c0 = None
        flag = f"allow_tf32={precision == 'tf32'}" if precision in ("fp32", "tf32") else "fp32 accumulate"
        if p.alpha == 1.0 and p.beta == 0.0:
            def call():
                return t.matmul(op_a, op_b, out=d)
            op_name = f"torch.matmul(out=D) [{flag}]"
        elif p.batch == 1:
            alpha, beta = float(p.alpha), float(p.beta)

            def call():
                return d.addmm_(op_a, op_b, beta=beta, alpha=alpha)
            op_name = f"D.addmm_(A, B, beta={format_number(beta)}, alpha={format_number(alpha)}) [{flag}]"
        else:
            alpha, beta = float(p.alpha), float(p.beta)

            def call():
                return d.baddbmm_(op_a, op_b, beta=beta, alpha=alpha)
            op_name = f"D.baddbmm_(A, B, beta={format_number(beta)}, alpha={format_number(alpha)}) [{flag}]"
        return {"a": a, "b": b, "op_a": op_a, "op_b": op_b, "d": d, "c0": c0, "call": call, "op": op_name}

    # --- the check

    def check(self, problem, precision, ops, out, seed):
        """Relative error ‖out − ref‖/‖ref‖ over a sample of output elements, ref in float64 from the same
        (already rounded) inputs: the metric dlbench reports. The reference reads the operands as stored, through
        the convention itself (op(A)[i,p] = A[p,i] when trans_a, op(B)[p,j] = B[j,p] when trans_b), not through the
        views handed to the call, so a view built wrongly cannot agree with itself."""
        t = self.torch
        p = problem
        rng = random.Random(seed)
        picks = [(rng.randrange(p.batch), rng.randrange(p.m), rng.randrange(p.n))
                 for _ in range(min(self.cfg.verify_samples, p.batch * p.m * p.n))]
        num = den = 0.0
        a, b = ops["a"], ops["b"]
        for bi, i, j in picks:
            a_m = a[bi] if p.batch > 1 else a
            b_m = b[bi] if p.batch > 1 else b
            a_row = a_m[:, i] if p.trans_a else a_m[i, :]
            b_col = b_m[j, :] if p.trans_b else b_m[:, j]
            ref = float(t.dot(a_row.float().double(), b_col.float().double()).item()) * p.alpha
            if p.beta != 0:
                c = ops["c0"][bi, i, j] if p.batch > 1 else ops["c0"][i, j]
                ref += p.beta * float(c.float().item())
            got = float((out[bi, i, j] if p.batch > 1 else out[i, j]).float().item())
            if not math.isfinite(got):
                return math.nan
            num += (got - ref) ** 2
            den += ref ** 2
        return math.sqrt(num / den) if den > 0 else math.sqrt(num)

    # --- timing

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

    # --- one case

    def run_case(self, shape, precision, seed):
        t = self.torch
        p = shape.problem
        ops = None
        try:
            ops = self.build(p, precision, seed)
            out = ops["call"]()
            t.cuda.synchronize()
            error = self.check(p, precision, ops, out, seed)
            result = {"error": format_number(error), "tolerance": format_number(TOLERANCE[precision]),
                      "torch_op": ops["op"]}
            if not (error <= TOLERANCE[precision]):  # NaN fails too
                return "failed", (f"verification failed: error {format_number(error)} > tolerance "
                                  f"{format_number(TOLERANCE[precision])}"), result
            del out
            est = self.warmup(ops["call"])
            per_run, runs, converged, method = self.sample(ops["call"], est)
            st = summarize(per_run)
            result.update({
                "time_ms": format_number(st["median"] * 1e3), "time_ms_min": format_number(st["min"] * 1e3),
                "time_ms_max": format_number(st["max"] * 1e3), "cov_pct": format_number(st["cov"] * 100),
                "samples": st["samples"], "runs_per_sample": runs,
                "tflops": format_number(p.flops() / st["median"] / 1e12), "method": method,
                "converged": "true" if converged else "false"})
            return "ok", "" if converged else "noise target not met within --max-time", result
        except Unsupported as e:
            return "skipped", str(e), {}
        except Exception as e:  # noqa: BLE001 (one case's failure is its row, not the end of the run)
            message = f"{type(e).__name__}: {e}".replace("\n", " ")
            return "failed", message[:400], ({"torch_op": ops["op"]} if ops else {})
        finally:
            ops = None
            try:
                t.cuda.synchronize()
                t.cuda.empty_cache()  # the next case may need the memory this one held (70B weights in fp32)
            except Exception:  # noqa: BLE001 (a broken context shows up in the next case's row)
                pass


class Unsupported(Exception):
    """This PyTorch or GPU cannot run the case: a skipped row, not a failure."""


# --------------------------------------------------------------------------------------------- CLI

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="torch_gemm.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Time torch.matmul / torch._scaled_mm on a CUDA GPU for dlbench's GEMM problems.",
        epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--shapes", action="append", metavar="LIST",
                    help="dlbench shape tables: names (shapes/gemm/NAME.csv) or paths, comma-separated, repeatable "
                         "[default: default, unless --problem is given]")
    ap.add_argument("--shapes-dir", default=default_shapes_dir(),
                    help="where table names are looked up, as <dir>/gemm/NAME.csv [default: %(default)s]")
    ap.add_argument("--problem", action="append", metavar="LIST",
                    help="canonical problems (m<M>n<N>k<K>[b<B>]_<nn|nt|tn|tt>[_<precision>][_alpha<a>][_beta<b>]), "
                         "comma-separated, repeatable; table 'cli', as in gemm_bench")
    ap.add_argument("--precisions", default=DEFAULT_PRECISIONS, metavar="LIST",
                    help=f"of {', '.join(PRECISIONS)} (timed: {', '.join(TIMED_PRECISIONS)}) [default: %(default)s]")
    ap.add_argument("--cache", choices=("cold", "hot", "auto"), default="auto",
                    help="cold: L2 flushed before each sample, one call per event pair; hot: CUDA graph of calls "
                         "per event pair; auto = cold, as gemm_bench on a GPU [default: %(default)s]")
    ap.add_argument("--warmup", type=float, default=0.1, help="seconds of untimed calls (>= 3 calls) [%(default)s]")
    ap.add_argument("--sample-time", type=float, default=0.005, help="hot: seconds per sample [%(default)s]")
    ap.add_argument("--min-samples", type=int, default=10, help="samples at least [%(default)s]")
    ap.add_argument("--min-time", type=float, default=0.5, help="measured seconds per case at least [%(default)s]")
    ap.add_argument("--max-time", type=float, default=5.0,
                    help="seconds of sampling per case at most, noise target met or not [%(default)s]")
    ap.add_argument("--noise", type=float, default=0.5, help="target CoV of the samples, percent [%(default)s]")
    ap.add_argument("--time-budget", type=float, default=0.0,
                    help="seconds for the whole run; cases not started by then are written as skipped (0 = none)")
    ap.add_argument("--verify-samples", type=int, default=32, help="output elements checked per case [%(default)s]")
    ap.add_argument("--fp8-fast-accum", action="store_true",
                    help="fp8: use_fast_accum=True (cuBLASLt's FAST_ACCUM; off in dlbench's backend too)")
    ap.add_argument("--device", type=int, default=0, help="CUDA device index [%(default)s]")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random inputs [%(default)s]")
    ap.add_argument("--csv", metavar="FILE", help="write one row per case, as each case finishes")
    ap.add_argument("--dry-run", action="store_true", help="print the cases and static skip reasons; no PyTorch")
    args = ap.parse_args(argv)
    if args.cache == "auto":
        args.cache = "cold"
    for name in ("warmup", "sample_time", "min_time", "max_time", "noise", "time_budget"):
        if getattr(args, name) < 0:
            ap.error(f"--{name.replace('_', '-')} must not be negative")
    if args.min_samples < 1 or args.verify_samples < 1:
        ap.error("--min-samples and --verify-samples must be at least 1")
    return args


def collect(args):
    precisions = split_list([args.precisions])
    for p in precisions:
        if p not in PRECISIONS:
            raise InputError(f"--precisions: unknown precision '{p}' (valid: {', '.join(PRECISIONS)})")
    if not precisions:
        raise InputError("--precisions: empty list")
    tables = split_list(args.shapes)
    problems = split_list(args.problem)
    if not tables and not problems:
        tables = ["default"]
    shapes = load_tables(tables, args.shapes_dir) + cli_shapes(problems)
    cases = plan_cases(shapes, precisions)
    if not cases:
        raise InputError("no case left: every --problem names a precision that --precisions excludes")
    return cases


def print_table(rows):
    print(f"\n{'precision':<9} {'table/label':<44} {'TFLOP/s':>9} {'ms':>10} {'CoV%':>6} {'n':>6}  status")
    for r in rows:
        name = f"{r['table']}/{r['label']}"
        name = name if len(name) <= 44 else "…" + name[-43:]
        if r["status"] == "ok":
            print(f"{r['precision']:<9} {name:<44} {float(r['tflops']):9.4g} {float(r['time_ms']):10.4g} "
                  f"{float(r['cov_pct']):6.2f} {r['samples']:>6}  ok")
        else:
            print(f"{r['precision']:<9} {name:<44} {'':>9} {'':>10} {'':>6} {'':>6}  {r['status']}: {r['reason']}")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cases = collect(args)
    except InputError as e:
        print(f"torch_gemm.py: {e}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as e:
        print(f"torch_gemm.py: {e}", file=sys.stderr)
        return 2

    if args.dry_run:
        for shape, precision in cases:
            why = static_skip_reason(shape.problem, precision)
            status = f"skipped: {why}" if why else "runnable"
            print(f"{shape.problem.canonical(precision):<40} {shape.table}/{shape.label}  {status}")
        runnable = sum(static_skip_reason(s.problem, p) is None for s, p in cases)
        print(f"{len(cases)} cases, {runnable} runnable, {len(cases) - runnable} skipped")
        return 0

    t_start = time.perf_counter()
    torch = import_torch()
    runner = Runner(torch, args)
    versions = {"torch": torch.__version__, "cuda": str(torch.version.cuda), "device": runner.device_name}
    print(f"torch {versions['torch']} (CUDA {versions['cuda']}) on {runner.device_name}, capability "
          f"{runner.capability[0]}.{runner.capability[1]}, L2 {runner.l2_bytes / 2**20:.0f} MiB, cache={args.cache}, "
          f"{len(cases)} cases", flush=True)

    out = open(args.csv, "w", newline="", encoding="utf-8") if args.csv else None
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n") if out else None
    if writer:
        writer.writeheader()
        out.flush()
    rows, failed = [], 0
    try:
        for index, (shape, precision) in enumerate(cases, start=1):
            row = base_row(shape, precision, args.cache)
            row.update(versions)
            why = static_skip_reason(shape.problem, precision)
            if why is None and args.time_budget > 0 and time.perf_counter() - t_start > args.time_budget:
                why = f"time budget exhausted (--time-budget={format_number(args.time_budget)})"
            if why is not None:
                status, reason, result = "skipped", why, {}
            else:
                print(f"[{index}/{len(cases)}] {row['problem']} {shape.table}/{shape.label}", flush=True)
                status, reason, result = runner.run_case(shape, precision, case_seed(shape.problem, precision,
                                                                                     args.seed))
            row.update(result)
            row["status"], row["reason"] = status, reason
            failed += status == "failed"
            if status == "ok":
                print(f"    ok: {float(row['tflops']):.4g} TFLOP/s, {float(row['time_ms']):.4g} ms, CoV "
                      f"{float(row['cov_pct']):.2f} %, {row['samples']} samples", flush=True)
            elif why is None:
                print(f"    {status}: {reason}", flush=True)
            rows.append(row)
            if writer:
                writer.writerow(row)
                out.flush()
    finally:
        if out:
            out.close()
    print_table(rows)
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"\n{ok} ok, {sum(r['status'] == 'skipped' for r in rows)} skipped, {failed} failed "
          f"in {time.perf_counter() - t_start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
