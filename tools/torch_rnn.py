#!/usr/bin/env python3
"""torch_rnn.py: time PyTorch's recurrent layers on a CUDA GPU for the same problems, passes and precisions as
dlbench's rnn_bench, so that dlbench's cuDNN figures have a reference that people already trust (tools/compare_torch.py
joins the two on the canonical problem name).

Examples
  tools/torch_rnn.py --shapes=smoke,deepspeech --precisions=fp16,bf16 --csv=torch_rnn.csv
  tools/torch_rnn.py --problem=lstm_h1024i1024n64t25_uni_inference_fp16 --cache=hot
  tools/torch_rnn.py --shapes=gnmt --problems-from=rnn.csv          # only what rnn_bench ran ok
  tools/torch_rnn.py --shapes=gnmt --dry-run                         # the case list; needs no PyTorch

Cases: an inference row runs the `inference` pass, a training row `training_fwd` and `training_bwd` (--passes
narrows that); a --problem runs in the pass and precision it names, in all three passes and the --precisions where
it names none. Names and both FLOP conventions are rnn_bench's (kernels/rnn/rnn_problem.hpp, mirrored in
rnn_common.py): `flops` is the full-layer count 2·G·N·(I_l + H)·H·T per layer and direction (×2 for training_bwd),
`flops_deepbench` DeepBench's recurrent-only count; `tflops` and `tflops_deepbench` are each over the median time.

The module: nn.LSTM, nn.GRU or nn.RNN(nonlinearity=relu|tanh) with the problem's hidden and input sizes, layers and
direction, bias, batch_first=False (x is T × N × I, states L·D × N × H: rnn_bench's layouts), dropout 0, built on
the GPU in the precision's type and flattened (cuDNN's single weight buffer). Inputs x, hx, cx are uniform in
[-1, 1]; the weights are uniform in ±1/sqrt(H), the range nn.LSTM initialises them in, redrawn from the case's seed
(with ±1 weights every gate saturates and a relu cell overflows within a few steps).
  fp32  torch.backends.cudnn.allow_tf32 = False and torch.backends.cuda.matmul.allow_tf32 = False
  tf32  both True; fp16, bf16: the module and tensors in that type
  fp8e4m3, fp8e5m2, int8  skipped with rnn_bench's own reason (no quantisation recipe is modelled)
Passes, as PyTorch users run them:
  inference     module.eval(), under torch.no_grad(): module(x, (hx, cx))
  training_fwd  module.train(), gradients enabled (x, hx, cx require grad, as training_bwd needs): module(x, ...)
  training_bwd  one forward kept, untimed; the timed call sets the .grad of x, hx, cx and every weight to None and
                runs torch.autograd.backward([y, hy, cy], [dy, dhy, dcy], retain_graph=True), so the same graph
                is replayed: cuDNN's backward data and backward weights, plus PyTorch's gradient bookkeeping. dy,
                dhy, dcy are fixed random tensors. The `torch_backend` column says whether PyTorch ran cuDNN or its
                own kernels, from the autograd graph of one untimed forward (a CudnnRnnBackward node or not).

The check: before timing, the forward output of one call (for training_bwd, of the forward kept for it) is compared,
on one batch entry drawn from the seed, with rnn_reference.py's float64 cell equations run from that entry's inputs
and the module's weights: y's T × D·H values, hy and cy; error = relative L2 norm, against dlbench's tolerance for
the precision. training_bwd also requires the gradients of the checked backward call to be finite, and after timing
that the replayed graph still produced dx as the first call did (within the tolerance): a graph that replaying had
corrupted would otherwise time garbage.

Timing: tools/torch_timing.py, dlbench's method (warm-up; cold L2 flush or hot CUDA-graph replay; CUDA events;
launches queued behind a spin kernel; the same stopping rule). One case failing (out of memory, a refusal) is
written as status 'failed' with the reason; the others run. Exit status: 0, 1 when some case failed, 2 on bad
arguments or no usable GPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import random
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnn_reference  # noqa: E402
import torch_runner  # noqa: E402
import torch_timing  # noqa: E402
from dlbench_tables import InputError, default_shapes_dir, format_number, split_list  # noqa: E402
from rnn_common import PASSES, PRECISIONS, cli_shapes, load_tables  # noqa: E402
from torch_timing import TOLERANCE, Timer, Unsupported, tensor_relative_error  # noqa: E402

TIMED_PRECISIONS = ("fp32", "tf32", "fp16", "bf16")
DEFAULT_PRECISIONS = "bf16,fp16,tf32,fp32"
FLOPS_CONVENTION = "full layer: 2*G*N*(I_l+H)*H*T per layer and direction, training_bwd x2"

COLUMNS = ["problem", "kernel", "table", "label", "precision", "cell", "hidden", "input", "batch", "steps", "layers",
           "direction", "phase", "pass", "flops_convention", "flops", "flops_deepbench", "time_ms", "time_ms_min",
           "time_ms_max", "cov_pct", "samples", "runs_per_sample", "tflops", "tflops_deepbench", "cache", "method",
           "converged", "error", "tolerance", "verify_mode", "status", "reason", "torch_op", "torch_backend",
           "torch", "cuda", "cudnn", "device"]


# --------------------------------------------------------------------------------------------- case planning

def static_skip_reason(problem, precision):
    """rnn_bench's own reason for a precision it cannot run, or None."""
    return problem.unsupported_reason(precision)


def plan_cases(shapes, precisions, passes):
    """(shape, problem with its pass, precision): precision outer, then rows in table order, each in its passes."""
    cases = []
    for precision in precisions:
        for shape in shapes:
            if shape.precision is not None and shape.precision != precision:
                continue
            for pass_ in shape.passes():
                if shape.pass_ is None and pass_ not in passes:
                    continue
                cases.append((shape, dataclasses.replace(shape.problem, pass_=pass_), precision))
    return cases


def case_seed(problem, precision, seed):
    return zlib.crc32(f"{problem.canonical(precision)}/{seed}".encode())


def base_row(shape, problem, precision, cache):
    p = problem
    return {"problem": p.canonical(precision), "kernel": "rnn", "table": shape.table, "label": shape.label,
            "precision": precision, "cell": p.cell, "hidden": p.hidden, "input": p.input, "batch": p.batch,
            "steps": p.steps, "layers": p.layers, "direction": "bi" if p.bidirectional else "uni",
            "phase": shape.phase or ("inference" if p.pass_ == "inference" else "training"), "pass": p.pass_,
            "flops_convention": FLOPS_CONVENTION, "flops": format_number(p.flops()),
            "flops_deepbench": format_number(p.flops_deepbench()), "cache": cache}


# --------------------------------------------------------------------------------------------- the GPU part

class Runner(Timer):
    """The RNN cases on the device: module, inputs, the pass, its check (torch_timing.Timer times it)."""

    def __init__(self, torch, cfg):
        super().__init__(torch, cfg, "torch_rnn.py")

    def versions(self):
        v = super().versions()
        v["cudnn"] = torch_timing.cudnn_version(self.torch)
        return v

    def banner(self):
        return f"{super().banner()}, cuDNN {torch_timing.cudnn_version(self.torch)}"

    def build(self, problem, precision, seed):
        """Module, inputs and the timed call of the pass. Returns a dict (module, x, hx, cx, call, op, ...)."""
        t = self.torch
        p = problem
        if precision not in TIMED_PRECISIONS:
            raise Unsupported(f"{precision} is not timed by this tool")
        gen = t.Generator(device=self.device)
        gen.manual_seed(seed)
        dt = {"fp32": t.float32, "tf32": t.float32, "fp16": t.float16, "bf16": t.bfloat16}[precision]
        # The legacy flags, the ones every PyTorch since 1.7 reads (2.9 adds fp32_precision; mixing is an error
        # there). cuDNN's RNN reads the cudnn one; PyTorch's own RNN kernels, where it uses them, the matmul one.
        t.backends.cudnn.allow_tf32 = precision == "tf32"
        t.backends.cuda.matmul.allow_tf32 = precision == "tf32"
        kinds = {"lstm": t.nn.LSTM, "gru": t.nn.GRU, "rnn_relu": t.nn.RNN, "rnn_tanh": t.nn.RNN}
        extra = {"nonlinearity": p.cell[4:]} if p.cell.startswith("rnn_") else {}
        module = kinds[p.cell](p.input, p.hidden, num_layers=p.layers, bias=True, batch_first=False, dropout=0.0,
                               bidirectional=p.bidirectional, device=self.device, dtype=dt, **extra)
        bound = 1.0 / math.sqrt(p.hidden)
        with t.no_grad():
            for param in module.parameters():
                param.uniform_(-bound, bound, generator=gen)
        module.flatten_parameters()

        def uniform(*shape):
            return t.empty(shape, dtype=dt, device=self.device).uniform_(-1.0, 1.0, generator=gen)

        training = p.pass_ != "inference"
        x = uniform(p.steps, p.batch, p.input).requires_grad_(training)
        hx = uniform(p.layers * p.directions(), p.batch, p.hidden).requires_grad_(training)
        cx = uniform(p.layers * p.directions(), p.batch, p.hidden).requires_grad_(training) \
            if p.cell == "lstm" else None
        state = (hx, cx) if cx is not None else hx
        name = f"torch.nn.{type(module).__name__}" + (f"(nonlinearity={extra['nonlinearity']})" if extra else "")
        flags = f"allow_tf32={precision == 'tf32'}"
        ops = {"module": module, "x": x, "hx": hx, "cx": cx}
        if p.pass_ == "inference":
            module.eval()

            def call():
                with t.no_grad():
                    return module(x, state)
            ops.update(call=call, op=f"{name}.eval() under no_grad [{flags}]")
        elif p.pass_ == "training_fwd":
            module.train()
            ops.update(call=lambda: module(x, state), op=f"{name}.train(), grad enabled [{flags}]")
        else:
            module.train()
            y, states = module(x, state)  # the forward kept for the replayed backward, untimed
            outputs = [y] + (list(states) if isinstance(states, tuple) else [states])
            grads = [uniform(*o.shape) for o in outputs]
            leaves = [v for v in (x, hx, cx) if v is not None] + list(module.parameters())

            def call():
                for leaf in leaves:
                    leaf.grad = None
                t.autograd.backward(outputs, grads, retain_graph=True)
            ops.update(call=call, forward=(y, states), leaves=leaves,
                       op=f"torch.autograd.backward through {name}.train(), retain_graph=True [{flags}]")
        try:
            ops["backend"] = self.implementation(module, x, state)
        except Exception as e:  # noqa: BLE001 (the column is informative; its absence does not stop the case)
            ops["backend"] = f"unknown ({type(e).__name__})"
        return ops

    def implementation(self, module, x, state):
        """Which implementation PyTorch dispatches this module and input to, read from the autograd graph of one
        untimed forward: a CudnnRnnBackward node for cuDNN, other nodes (its per-step kernels) otherwise. The
        dtype rules for cuDNN's RNN differ between PyTorch versions, so asking the graph beats predicting them."""
        t = self.torch
        with t.enable_grad():
            y = module(x.detach().requires_grad_(True), state)[0]
        names, frontier = [], [y.grad_fn]
        for _ in range(4):  # the node sits under a view or two at most
            following = []
            for fn in frontier:
                if fn is None:
                    continue
                name = type(fn).__name__
                if "Cudnn" in name or "Miopen" in name:
                    return f"cuDNN ({name})"
                names.append(name)
                following += [f for f, _ in fn.next_functions]
            frontier = following
        return f"PyTorch native ({', '.join(dict.fromkeys(names[:4]))})"

    def check_forward(self, problem, ops, result, seed):
        """The relative error of one batch entry's y, hy (and cy) against rnn_reference.forward in float64, run on
        the tensors' device. Returns (error, what was checked)."""
        t = self.torch
        p = problem
        b = random.Random(seed).randrange(p.batch)
        y, states = result
        hy, cy = states if isinstance(states, tuple) else (states, None)
        with t.no_grad():
            def f64(v):
                return v.detach().double()

            weights = rnn_reference.module_weights(ops["module"], p, f64)
            ref_y, ref_hy, ref_cy = rnn_reference.forward(
                t, p, f64(ops["x"][:, b]), f64(ops["hx"][:, b]),
                f64(ops["cx"][:, b]) if ops["cx"] is not None else None, weights)
            got = [y[:, b], hy[:, b]] + ([cy[:, b]] if cy is not None else [])
            ref = [ref_y, ref_hy] + ([ref_cy] if cy is not None else [])
            got = t.cat([f64(v).reshape(-1) for v in got])
            ref = t.cat([v.reshape(-1) for v in ref])
            error = tensor_relative_error(t, got, ref)
        return error, f"batch entry {b}: {ref.numel()} outputs (y, hy{', cy' if cy is not None else ''})"

    def run_case(self, case):
        shape, problem, precision, seed = case
        t = self.torch
        tolerance = TOLERANCE[precision]

        def verdict(error, what):
            return f"verification failed: {what} error {format_number(error)} > tolerance {format_number(tolerance)}"

        def body(known):
            ops = self.build(problem, precision, seed)
            known.update(torch_op=ops["op"], torch_backend=ops["backend"])
            forward = ops.get("forward") or ops["call"]()
            first_dx = None
            if problem.pass_ == "training_bwd":
                ops["call"]()
                grads = [leaf.grad for leaf in ops["leaves"]]
                if any(g is None or not bool(t.isfinite(g).all()) for g in grads):
                    return "failed", "verification failed: a gradient is missing or not finite", dict(known)
                first_dx = ops["x"].grad.detach().double().clone()
            t.cuda.synchronize()
            error, what = self.check_forward(problem, ops, forward, seed)
            result = dict(known, error=format_number(error), tolerance=format_number(tolerance),
                          verify_mode=f"forward, {what}" + ("; gradients finite, replay equal" if first_dx is not None
                                                            else ""))
            if not (error <= tolerance):  # NaN fails too
                return "failed", verdict(error, "forward"), result
            if problem.pass_ != "training_bwd":
                del forward
            result.update(self.measure(ops["call"], problem.flops()))
            median_s = float(result["time_ms"]) / 1e3
            result["tflops_deepbench"] = format_number(problem.flops_deepbench() / median_s / 1e12)
            if first_dx is not None:
                t.cuda.synchronize()
                last = ops["x"].grad.detach().double()
                drift = tensor_relative_error(t, last, first_dx)
                if not (drift <= tolerance):
                    return "failed", verdict(drift, "replayed backward's dx vs the first call's"), result
            converged = result["converged"] == "true"
            return "ok", "" if converged else "noise target not met within --max-time", result

        return self.guarded(body)


# --------------------------------------------------------------------------------------------- CLI

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="torch_rnn.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Time PyTorch's RNN, LSTM and GRU layers on a CUDA GPU for dlbench's RNN problems.",
        epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--shapes", action="append", metavar="LIST",
                    help="dlbench shape tables: names (shapes/rnn/NAME.csv) or paths, comma-separated, repeatable "
                         "[default: default, unless --problem is given]")
    ap.add_argument("--shapes-dir", default=default_shapes_dir(),
                    help="where table names are looked up, as <dir>/rnn/NAME.csv [default: %(default)s]")
    ap.add_argument("--problem", action="append", metavar="LIST",
                    help="canonical problems (<cell>_h<H>i<I>n<N>t<T>[l<L>][_<uni|bi>][_<pass>][_<precision>]), "
                         "comma-separated, repeatable; table 'cli', as in rnn_bench")
    ap.add_argument("--precisions", default=DEFAULT_PRECISIONS, metavar="LIST",
                    help=f"of {', '.join(PRECISIONS)} (timed: {', '.join(TIMED_PRECISIONS)}) [default: %(default)s]")
    ap.add_argument("--passes", default=",".join(PASSES), metavar="LIST",
                    help="which of a row's passes run (training rows: training_fwd, training_bwd; inference rows: "
                         "inference) [default: %(default)s]")
    ap.add_argument("--problems-from", action="append", metavar="CSV",
                    help="run only the cases whose problem has an ok row in this CSV (an rnn_bench --csv)")
    torch_runner.add_timing_args(ap, "rnn_bench")
    torch_runner.add_run_args(ap)
    args = ap.parse_args(argv)
    torch_runner.check_timing_args(ap, args)
    return args


def collect(args):
    precisions = torch_runner.checked_list(args.precisions, "precisions", PRECISIONS)
    passes = torch_runner.checked_list(args.passes, "passes", PASSES)
    tables = split_list(args.shapes)
    problems = split_list(args.problem)
    if not tables and not problems:
        tables = ["default"]
    shapes = load_tables(tables, args.shapes_dir) + cli_shapes(problems)
    cases = plan_cases(shapes, torch_runner.with_named_precisions(shapes, precisions, PRECISIONS), passes)
    if args.problems_from:
        wanted = torch_runner.ok_problems(args.problems_from)
        cases = [c for c in cases if c[1].canonical(c[2]) in wanted]
    if not cases:
        raise InputError("no case left after --precisions, --passes and --problems-from")
    return cases


class Tool:
    """What torch_runner.run_cases asks of this tool, per case (shape, problem, precision, seed)."""

    prog = "torch_rnn.py"
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

    @staticmethod
    def ok_line(row):
        return f"{torch_runner.ok_line(row)}; DeepBench convention {float(row['tflops_deepbench']):.4g} TFLOP/s"

    @staticmethod
    def print_table(rows):
        torch_runner.print_table(rows, 56)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cases = collect(args)
    except (InputError, OSError, UnicodeDecodeError) as e:
        print(f"torch_rnn.py: {e}", file=sys.stderr)
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
