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

Timing (dlbench's rules, MEASURE.md §1; tools/torch_timing.py, shared with torch_conv.py and torch_rnn.py):
warm-up of at least 3 calls and --warmup seconds, then samples timed with CUDA events until at least
--min-samples samples and --min-time measured seconds are in and the CoV is at most --noise percent, or
--max-time seconds have passed since sampling began. Reported: the median per call, min, max, CoV and the
sample count.
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
import os
import random
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_runner  # noqa: E402
from gemm_common import (PRECISIONS, InputError, cli_shapes, default_shapes_dir, format_number,  # noqa: E402
                         load_tables, split_list)
from torch_timing import TOLERANCE, Timer, Unsupported, relative_error, stop_rule, summarize  # noqa: E402

# The statistics are torch_timing's; they stay reachable here, where this tool's tests and users' scripts look.
__all__ = ["COLUMNS", "Runner", "main", "plan_cases", "static_skip_reason", "stop_rule", "summarize"]

TIMED_PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8e4m3")
DEFAULT_PRECISIONS = "bf16,fp16,tf32,fp32,fp8e4m3"

COLUMNS = ["problem", "table", "label", "precision", "m", "n", "k", "trans_a", "trans_b", "batch", "alpha", "beta",
           "flops", "time_ms", "time_ms_min", "time_ms_max", "cov_pct", "samples", "runs_per_sample", "tflops",
           "cache", "method", "converged", "error", "tolerance", "status", "reason", "torch_op", "torch", "cuda",
           "device"]


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


# --------------------------------------------------------------------------------------------- the GPU part

class Runner(Timer):
    """The GEMM cases on the device: operands, the call, its check (torch_timing.Timer times it)."""

    def __init__(self, torch, cfg):
        super().__init__(torch, cfg, "torch_gemm.py")

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
        pairs = []
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
            pairs.append((float((out[bi, i, j] if p.batch > 1 else out[i, j]).float().item()), ref))
        return relative_error(pairs)

    # --- one case

    def run_case(self, case):
        shape, precision, seed = case
        p = shape.problem

        def body(known):
            ops = self.build(p, precision, seed)
            known["torch_op"] = ops["op"]
            out = ops["call"]()
            self.torch.cuda.synchronize()
            error = self.check(p, precision, ops, out, seed)
            result = {"error": format_number(error), "tolerance": format_number(TOLERANCE[precision]),
                      "torch_op": ops["op"]}
            if not (error <= TOLERANCE[precision]):  # NaN fails too
                return "failed", (f"verification failed: error {format_number(error)} > tolerance "
                                  f"{format_number(TOLERANCE[precision])}"), result
            del out
            result.update(self.measure(ops["call"], p.flops()))
            converged = result["converged"] == "true"
            return "ok", "" if converged else "noise target not met within --max-time", result

        return self.guarded(body)


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
    torch_runner.add_timing_args(ap, "gemm_bench")
    ap.add_argument("--fp8-fast-accum", action="store_true",
                    help="fp8: use_fast_accum=True (cuBLASLt's FAST_ACCUM; off in dlbench's backend too)")
    torch_runner.add_run_args(ap)
    args = ap.parse_args(argv)
    torch_runner.check_timing_args(ap, args)
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


class Tool:
    """What torch_runner.run_cases asks of this tool, per case (shape, precision, seed)."""

    prog = "torch_gemm.py"
    columns = COLUMNS

    def __init__(self, args):
        self.args = args

    def make_runner(self, torch):
        return Runner(torch, self.args)

    def title(self, case):
        shape, precision, _ = case
        return f"{shape.problem.canonical(precision)} {shape.table}/{shape.label}"

    def base_row(self, case):
        return base_row(case[0], case[1], self.args.cache)

    def static_skip(self, case):
        return static_skip_reason(case[0].problem, case[1])

    ok_line = staticmethod(torch_runner.ok_line)
    print_table = staticmethod(torch_runner.print_table)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cases = collect(args)
    except (InputError, OSError, UnicodeDecodeError) as e:
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
    cases = [(shape, precision, case_seed(shape.problem, precision, args.seed)) for shape, precision in cases]
    return torch_runner.run_cases(Tool(args), cases, args, t_start)


if __name__ == "__main__":
    sys.exit(main())
