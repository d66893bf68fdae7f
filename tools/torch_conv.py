#!/usr/bin/env python3
"""torch_conv.py: time PyTorch's 2-D convolutions on a CUDA GPU for the same problems, layouts, directions and
precisions as dlbench's conv_bench, so that dlbench's cuDNN figures have a reference that people already trust
(tools/compare_torch.py joins the two on the canonical problem name).

Examples
  tools/torch_conv.py --shapes=smoke,resnet50 --precisions=bf16,fp16 --csv=torch_conv.csv
  tools/torch_conv.py --problem=n16c64h56w56k64r3s3p1u1_nhwc_fwd_bf16 --cache=hot
  tools/torch_conv.py --shapes=resnet50 --problems-from=conv.csv    # only what conv_bench ran ok
  tools/torch_conv.py --shapes=resnet50 --dry-run                   # the case list; needs no PyTorch

Cases: each table row runs in every --layouts layout; a training row in fwd, bwd_data and bwd_filter, an inference
row in fwd (--directions narrows that); a --problem runs in the layout, direction and precision it names, and in
the flags' ones where it names none. Names, FLOPs (2·N·K·P·Q·C/G·R·S, every direction) and the canonical problem
string are conv_bench's (kernels/conv/conv_problem.hpp, mirrored in conv_common.py).

What is timed, per precision (inputs uniform in [-1, 1] in the input type, made on the GPU, no bias):
  fp32  torch.backends.cudnn.allow_tf32 = False (cuDNN's FMA math), float32 tensors
  tf32  allow_tf32 = True (PyTorch's default: cuDNN may round the inputs to tf32), float32 tensors
  fp16, bf16  tensors in the type; cuDNN accumulates in fp32
  fp8e4m3, fp8e5m2, int8  not timed (skipped rows): PyTorch has no fp8 convolution, and its int8 convolutions are
        quantized modules outside this tool's scope
Layouts: nhwc = torch.channels_last for x, w and dy (the output follows: the `output_layout` column says what
PyTorch returned), nchw = contiguous. Directions, each exactly one library call per timed call:
  fwd         torch.nn.functional.conv2d(x, w, None, stride, padding, dilation, groups)
  bwd_data    torch.ops.aten.convolution_backward(dy, x, w, None, ..., output_mask=[True, False, False]): dx only
  bwd_filter  the same with output_mask=[False, True, False]: dw only
torch.backends.cudnn.benchmark = True, as PyTorch users run convolutions: the first call of each shape runs cuDNN's
find (every algorithm timed, the fastest kept, any workspace PyTorch can allocate); it happens in the checked call,
before any timing. The `torch_backend` column names the implementation PyTorch selects (torch._C._select_conv_backend:
Cudnn, or e.g. its own CudaDepthwise2d kernel for some depthwise shapes).

The check: before timing, the output of one call is compared with a float64 reference on --verify-samples sampled
elements, each recomputed on the CPU as the dot product that the convolution's definition prescribes, gathered from
the same tensors (conv_reference.py); error = relative L2 norm, against dlbench's tolerance for the precision.

Timing: tools/torch_timing.py, dlbench's method (warm-up; cold L2 flush or hot CUDA-graph replay; CUDA events;
launches queued behind a spin kernel; the same stopping rule). One case failing (out of memory, a refusal) is
written as status 'failed' with the reason; the others run. Exit status: 0, 1 when some case failed, 2 on bad
arguments or no usable GPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conv_reference  # noqa: E402
import torch_runner  # noqa: E402
import torch_timing  # noqa: E402
from conv_common import DIRECTIONS, LAYOUTS, PRECISIONS, cli_shapes, load_tables  # noqa: E402
from dlbench_tables import InputError, default_shapes_dir, format_number, split_list  # noqa: E402
from torch_timing import TOLERANCE, Timer, Unsupported  # noqa: E402

TIMED_PRECISIONS = ("fp32", "tf32", "fp16", "bf16")
DEFAULT_PRECISIONS = "bf16,fp16,tf32,fp32"

COLUMNS = ["problem", "kernel", "table", "label", "precision", "n", "c", "h", "w", "k", "r", "s", "p", "q", "pad_h",
           "pad_w", "stride_h", "stride_w", "dil_h", "dil_w", "groups", "layout", "direction", "phase", "flops",
           "time_ms", "time_ms_min", "time_ms_max", "cov_pct", "samples", "runs_per_sample", "tflops", "cache",
           "method", "converged", "error", "tolerance", "verify_mode", "status", "reason", "torch_op",
           "torch_backend", "output_layout", "torch", "cuda", "cudnn", "device"]


# --------------------------------------------------------------------------------------------- case planning

def static_skip_reason(problem, precision):
    """Why this tool does not time (problem, precision), judged from the problem alone; None when it will. An
    invalid problem gets conv_bench's own reason, word for word."""
    why = problem.unsupported_reason(precision)
    if why:
        return why
    if precision in ("fp8e4m3", "fp8e5m2"):
        return "not timed: PyTorch has no fp8 convolution"
    if precision == "int8":
        return "not timed: int8 convolution (PyTorch's quantized modules) is out of this tool's scope"
    return None


def plan_cases(shapes, precisions, layouts, directions):
    """(shape, problem with layout and direction, precision): precision outer, then rows in table order, each in
    its layouts and directions. What a --problem names replaces the flag's list for it."""
    cases = []
    for precision in precisions:
        for shape in shapes:
            if shape.precision is not None and shape.precision != precision:
                continue
            for layout in [shape.layout] if shape.layout else layouts:
                for direction in shape.directions():
                    if shape.direction is None and direction not in directions:
                        continue
                    cases.append((shape, dataclasses.replace(shape.problem, layout=layout, direction=direction),
                                  precision))
    return cases


def case_seed(problem, precision, seed):
    return zlib.crc32(f"{problem.canonical(precision)}/{seed}".encode())


def base_row(shape, problem, precision, cache):
    p = problem
    return {"problem": p.canonical(precision), "kernel": "conv", "table": shape.table, "label": shape.label,
            "precision": precision, "n": p.n, "c": p.c, "h": p.h, "w": p.w, "k": p.k, "r": p.r, "s": p.s,
            "p": p.p(), "q": p.q(), "pad_h": p.pad_h, "pad_w": p.pad_w, "stride_h": p.stride_h,
            "stride_w": p.stride_w, "dil_h": p.dil_h, "dil_w": p.dil_w, "groups": p.groups, "layout": p.layout,
            "direction": p.direction, "phase": shape.phase, "flops": format_number(p.flops()), "cache": cache}


# --------------------------------------------------------------------------------------------- the GPU part

class Runner(Timer):
    """The convolution cases on the device: tensors, the call, its check (torch_timing.Timer times it)."""

    def __init__(self, torch, cfg):
        super().__init__(torch, cfg, "torch_conv.py")
        torch.backends.cudnn.enabled = True
        torch.backends.cudnn.benchmark = True

    def versions(self):
        v = super().versions()
        v["cudnn"] = torch_timing.cudnn_version(self.torch)
        return v

    def banner(self):
        return f"{super().banner()}, cuDNN {torch_timing.cudnn_version(self.torch)}, cudnn.benchmark=True"

    def dtype(self, precision):
        t = self.torch
        return {"fp32": t.float32, "tf32": t.float32, "fp16": t.float16, "bf16": t.bfloat16}[precision]

    def tensor(self, shape, dtype, fmt, gen=None):
        """A dense tensor in the memory format; uniform in [-1, 1] when a generator is given, else left unset (an
        operand the direction does not read: only its shape matters)."""
        out = self.torch.empty(shape, dtype=dtype, device=self.device, memory_format=fmt)
        return out.uniform_(-1.0, 1.0, generator=gen) if gen is not None else out

    def build(self, problem, precision, seed):
        """The direction's operands and its call. Returns a dict: tensors (x, w, dy), call, op (description)."""
        t = self.torch
        p = problem
        if precision not in TIMED_PRECISIONS:
            raise Unsupported(f"{precision} is not timed by this tool")
        gen = t.Generator(device=self.device)
        gen.manual_seed(seed)
        dt = self.dtype(precision)
        fmt = t.channels_last if p.layout == "nhwc" else t.contiguous_format
        # The legacy flag, the one every PyTorch since 1.7 reads (2.9 adds conv.fp32_precision; mixing the two
        # is an error there, so only this one is ever touched).
        t.backends.cudnn.allow_tf32 = precision == "tf32"
        # The direction's two inputs hold random values. A gradient call also takes the tensor whose gradient it
        # does not compute (x for bwd_data, w for bwd_filter), for its shape only: it is allocated and left unset.
        reads = {"fwd": ("x", "w"), "bwd_data": ("dy", "w"), "bwd_filter": ("x", "dy")}[p.direction]
        shapes = {"x": (p.n, p.c, p.h, p.w), "w": (p.k, p.c_per_group(), p.r, p.s), "dy": (p.n, p.k, p.p(), p.q())}
        names = ("x", "w") if p.direction == "fwd" else ("x", "w", "dy")
        tensors = {name: self.tensor(shapes[name], dt, fmt, gen if name in reads else None) for name in names}
        x, w, dy = tensors["x"], tensors["w"], tensors.get("dy")
        stride, padding, dilation = [p.stride_h, p.stride_w], [p.pad_h, p.pad_w], [p.dil_h, p.dil_w]
        groups = p.groups
        flags = f"cudnn.benchmark=True, allow_tf32={precision == 'tf32'}"
        if p.direction == "fwd":
            conv2d = t.nn.functional.conv2d

            def call():
                return conv2d(x, w, None, stride, padding, dilation, groups)
            op = f"torch.nn.functional.conv2d(x, w) [{flags}]"
        else:
            mask = [p.direction == "bwd_data", p.direction == "bwd_filter", False]
            pick = 0 if p.direction == "bwd_data" else 1
            backward = t.ops.aten.convolution_backward

            def call():
                return backward(dy, x, w, None, stride, padding, dilation, False, [0, 0], groups, mask)[pick]
            op = f"torch.ops.aten.convolution_backward(output_mask={mask}) [{flags}]"
        try:
            chosen = t._C._select_conv_backend(x, w, None, stride, padding, dilation, False, [0, 0], groups, None)
            backend = str(chosen).rsplit(".", 1)[-1]
        except Exception as e:  # noqa: BLE001 (a private API: its absence costs the column, not the case)
            backend = f"unknown ({type(e).__name__})"
        return {"tensors": tensors, "call": call, "op": op, "backend": backend, "format": fmt}

    def layout_of(self, out, fmt):
        """The layout PyTorch returned the output in: the case's own, or the other one."""
        t = self.torch
        if out.is_contiguous(memory_format=fmt):
            return "nhwc" if fmt == t.channels_last else "nchw"
        return "nchw" if out.is_contiguous() else "nhwc" if out.is_contiguous(memory_format=t.channels_last) \
            else "strided"

    def run_case(self, case):
        shape, problem, precision, seed = case

        def body(known):
            ops = self.build(problem, precision, seed)
            known.update(torch_op=ops["op"], torch_backend=ops["backend"])
            out = ops["call"]()  # cudnn.benchmark's find runs here, untimed
            self.torch.cuda.synchronize()
            error, checked = conv_reference.check(self.torch, problem, ops["tensors"], out, self.cfg.verify_samples,
                                                  seed)
            tolerance = TOLERANCE[precision]
            result = dict(known, error=format_number(error), tolerance=format_number(tolerance),
                          output_layout=self.layout_of(out, ops["format"]),
                          verify_mode=f"sampled {checked} of {problem.output_elements()}")
            if not (error <= tolerance):  # NaN fails too
                return "failed", (f"verification failed: error {format_number(error)} > tolerance "
                                  f"{format_number(tolerance)}"), result
            del out
            result.update(self.measure(ops["call"], problem.flops()))
            converged = result["converged"] == "true"
            return "ok", "" if converged else "noise target not met within --max-time", result

        return self.guarded(body)


# --------------------------------------------------------------------------------------------- CLI

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="torch_conv.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Time PyTorch's conv2d and its two gradients on a CUDA GPU for dlbench's convolution problems.",
        epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--shapes", action="append", metavar="LIST",
                    help="dlbench shape tables: names (shapes/conv/NAME.csv) or paths, comma-separated, repeatable "
                         "[default: default, unless --problem is given]")
    ap.add_argument("--shapes-dir", default=default_shapes_dir(),
                    help="where table names are looked up, as <dir>/conv/NAME.csv [default: %(default)s]")
    ap.add_argument("--problem", action="append", metavar="LIST",
                    help="canonical problems (n<N>c<C>h<H>w<W>k<K>r<R>s<S>p<P>u<U>[d<D>][g<G>][_<layout>]"
                         "[_<direction>][_<precision>]), comma-separated, repeatable; table 'cli', as in conv_bench")
    ap.add_argument("--precisions", default=DEFAULT_PRECISIONS, metavar="LIST",
                    help=f"of {', '.join(PRECISIONS)} (timed: {', '.join(TIMED_PRECISIONS)}) [default: %(default)s]")
    ap.add_argument("--layouts", default="nhwc", metavar="LIST",
                    help=f"of {', '.join(LAYOUTS)} [default: %(default)s]")
    ap.add_argument("--directions", default=",".join(DIRECTIONS), metavar="LIST",
                    help="which of a row's directions run (training rows: all three, inference rows: fwd) "
                         "[default: %(default)s]")
    ap.add_argument("--problems-from", action="append", metavar="CSV",
                    help="run only the cases whose problem has an ok row in this CSV (a conv_bench --csv), so a "
                         "dlbench run cut short does not cost PyTorch time on cases with nothing to compare with")
    torch_runner.add_timing_args(ap, "conv_bench")
    torch_runner.add_run_args(ap)
    args = ap.parse_args(argv)
    torch_runner.check_timing_args(ap, args)
    return args


def collect(args):
    precisions = torch_runner.checked_list(args.precisions, "precisions", PRECISIONS)
    layouts = torch_runner.checked_list(args.layouts, "layouts", LAYOUTS)
    directions = torch_runner.checked_list(args.directions, "directions", DIRECTIONS)
    tables = split_list(args.shapes)
    problems = split_list(args.problem)
    if not tables and not problems:
        tables = ["default"]
    shapes = load_tables(tables, args.shapes_dir) + cli_shapes(problems)
    cases = plan_cases(shapes, torch_runner.with_named_precisions(shapes, precisions, PRECISIONS), layouts,
                       directions)
    if args.problems_from:
        wanted = torch_runner.ok_problems(args.problems_from)
        cases = [c for c in cases if c[1].canonical(c[2]) in wanted]
    if not cases:
        raise InputError("no case left after --precisions, --layouts, --directions and --problems-from")
    return cases


class Tool:
    """What torch_runner.run_cases asks of this tool, per case (shape, problem, precision, seed)."""

    prog = "torch_conv.py"
    columns = COLUMNS

    def __init__(self, args):
        self.args = args

    def make_runner(self, torch):
        return Runner(torch, self.args)

    def title(self, case):
        return f"{case[1].canonical(case[2])} {case[0].table}/{case[0].label}"

    def base_row(self, case):
        return base_row(case[0], case[1], case[2], self.args.cache)

    def static_skip(self, case):
        return static_skip_reason(case[1], case[2])

    ok_line = staticmethod(torch_runner.ok_line)

    @staticmethod
    def print_table(rows):
        torch_runner.print_table(rows, 56)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cases = collect(args)
    except (InputError, OSError, UnicodeDecodeError) as e:
        print(f"torch_conv.py: {e}", file=sys.stderr)
        return 2
    if args.dry_run:
        for shape, problem, precision in cases:
            why = static_skip_reason(problem, precision)
            print(f"{problem.canonical(precision):<52} {shape.table}/{shape.label}  "
                  f"{'skipped: ' + why if why else 'runnable'}")
        runnable = sum(static_skip_reason(p, prec) is None for _, p, prec in cases)
        print(f"{len(cases)} cases, {runnable} runnable, {len(cases) - runnable} skipped")
        return 0
    t_start = time.perf_counter()
    cases = [(s, p, prec, case_seed(p, prec, args.seed)) for s, p, prec in cases]
    return torch_runner.run_cases(Tool(args), cases, args, t_start)


if __name__ == "__main__":
    sys.exit(main())
