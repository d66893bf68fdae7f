"""Tests of tools/conv_common.py, tools/conv_reference.py and tools/torch_conv.py. Standard library only, no GPU, no
PyTorch: torch_conv.py's GPU path runs against fake_torch.py, which computes real convolutions and gradients on tiny
tensors by code of its own, so names, planning, the float64 check, the timing loop and the CSV are exercised end to
end. Where PyTorch is importable, the reference is also checked against its conv2d and convolution_backward.

  python3 -m unittest discover -s tools -p 'test_torch_conv.py'
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import conv_common  # noqa: E402
import conv_reference  # noqa: E402
import fake_torch  # noqa: E402
import subset_table  # noqa: E402
import torch_conv  # noqa: E402
from conv_common import ConvProblem, parse_problem  # noqa: E402
from dlbench_tables import InputError  # noqa: E402

TESTDATA = os.path.join(HERE, "testdata", "shapes")
FAST = ["--warmup=0.0001", "--min-time=0.01", "--max-time=0.05", "--verify-samples=12",
        f"--shapes-dir={TESTDATA}"]


def conv(n, c, h, w, k, r, s, pad=(0, 0), stride=(1, 1), dil=(1, 1), groups=1, layout="nhwc", direction="fwd"):
    return ConvProblem(n, c, h, w, k, r, s, pad[0], pad[1], stride[0], stride[1], dil[0], dil[1], groups, layout,
                       direction)


class Names(unittest.TestCase):
    # What ConvProblem::to_string (kernels/conv/conv_problem.cpp) prints for these problems: padding and stride
    # always (p0 too), dilation and groups only when not 1, a pair whose sides differ as ph<>pw<> / uh<>uw<> / dh<>dw<>.
    CPP = [
        (conv(16, 64, 56, 56, 64, 3, 3, (1, 1)), "bf16", "n16c64h56w56k64r3s3p1u1_nhwc_fwd_bf16"),
        (conv(32, 144, 56, 56, 144, 3, 3, (1, 1), (2, 2), groups=144, layout="nchw", direction="bwd_data"), "fp32",
         "n32c144h56w56k144r3s3p1u2g144_nchw_bwd_data_fp32"),
        (conv(64, 3, 224, 224, 64, 7, 7, (3, 3), (2, 2), direction="bwd_filter"), "fp16",
         "n64c3h224w224k64r7s7p3u2_nhwc_bwd_filter_fp16"),
        (conv(1, 256, 14, 14, 1024, 1, 1), "int8", "n1c256h14w14k1024r1s1p0u1_nhwc_fwd_int8"),
        (conv(4, 32, 79, 341, 32, 21, 11, (10, 5), (2, 2), layout="nchw"), "tf32",
         "n4c32h79w341k32r21s11ph10pw5u2_nchw_fwd_tf32"),
        (conv(2, 8, 9, 9, 8, 3, 3, (2, 2), (1, 2), (2, 2), 2), "fp32", "n2c8h9w9k8r3s3p2uh1uw2d2g2_nhwc_fwd_fp32"),
        (conv(2, 8, 9, 9, 8, 3, 3, (1, 0), (1, 1), (1, 3)), "bf16", "n2c8h9w9k8r3s3ph1pw0u1dh1dw3_nhwc_fwd_bf16"),
    ]

    def test_names_match_the_cpp_to_string(self):
        for problem, precision, text in self.CPP:
            self.assertEqual(problem.canonical(precision), text)
            self.assertEqual(problem.canonical(None), text.rsplit("_", 1)[0])
            parsed, given = parse_problem(text, strict=True)
            self.assertEqual((parsed, given["precision"]), (problem, precision), text)

    def test_parse_leaves_out_what_flags_fill(self):
        problem, given = parse_problem("n2c4h6w5k6r3s3p1u1")
        self.assertEqual(given, {"layout": None, "direction": None, "precision": None})
        self.assertEqual((problem.layout, problem.direction), ("nhwc", "fwd"))
        problem, given = parse_problem("n2c4h6w5k6r3s3p1u1_bwd_data_fp16")
        self.assertEqual(given, {"layout": None, "direction": "bwd_data", "precision": "fp16"})
        self.assertEqual(parse_problem("n1c1h1w1k1r1s1")[0].shape_string(), "n1c1h1w1k1r1s1p0u1")

    def test_parse_refusals(self):
        # parse()'s own refusals end with the form; split_dims' (the grammar of the geometry token) do not.
        for text, part, form in (
                ("n1c1h1w1k1r1", "missing 's'", True), ("n1n1c1h1w1k1r1s1", "'n' given twice", True),
                ("n0c1h1w1k1r1s1", "'n' must be positive", True), ("n1c1h1w1k1r1s1u0", "'u' must be positive", True),
                ("n1c1h1w1k1r1s1p1ph2", "'p' and 'ph'/'pw' together", True),
                ("n1c1h1w1k1r1s1x3", "unknown token 'x'", True), ("n1c1h1w1k1r1s1_nhwc_bwd", "unexpected 'bwd'", True),
                ("n1c1h1w1k1r1s1_fwd_nhwc", "unexpected 'nhwc'", True), ("n1cch1", "missing 'c'", True),
                ("N1c1", "expected a letter at 'N1c1'", False), ("n1c-1h1w1k1r1s1", "'c' needs a non-negative", False),
                ("n1c", "'c' needs a non-negative integer", False)):
            with self.assertRaises(InputError, msg=text) as cm:
                parse_problem(text)
            self.assertIn(f"--problem: '{text}': {part}", str(cm.exception))
            self.assertEqual("(form: n<N>c<C>" in str(cm.exception), form, text)
        with self.assertRaises(InputError) as cm:
            parse_problem("n1c1h1w1k1r1s1_nhwc_fwd", strict=True)
        self.assertIn("needs its layout, direction and precision", str(cm.exception))

    def test_take_suffix_prefers_the_longest_whole_token(self):
        self.assertEqual(conv_common.take_suffix("bwd_data_fp16", conv_common.DIRECTIONS), (1, "fp16"))
        self.assertEqual(conv_common.take_suffix("fp8e4m3", conv_common.PRECISIONS), (4, ""))
        self.assertEqual(conv_common.take_suffix("fp32x", conv_common.PRECISIONS), (-1, "fp32x"))


class Formulas(unittest.TestCase):
    def test_output_size_flops_and_bytes(self):
        p = conv(16, 64, 56, 56, 64, 3, 3, (1, 1))
        self.assertEqual((p.p(), p.q()), (56, 56))
        self.assertEqual(p.flops(), 2.0 * 16 * 64 * 56 * 56 * 64 * 9)
        self.assertEqual(p.min_bytes("bf16"), 2.0 * (16 * 64 * 56 * 56 * 2 + 64 * 64 * 9))
        d = conv(2, 8, 9, 9, 8, 3, 3, (2, 2), (1, 2), (2, 2), 2)
        self.assertEqual((d.p(), d.q()), (9, 5))  # (9 + 4 - 4 - 1) / 1 + 1, (9 + 4 - 4 - 1) / 2 + 1
        self.assertEqual(d.flops(), 2.0 * 2 * 8 * 9 * 5 * 4 * 9)  # C/G = 4
        bwd = conv(2, 8, 9, 9, 8, 3, 3, (2, 2), (1, 2), (2, 2), 2, direction="bwd_filter")
        self.assertEqual(bwd.flops(), d.flops())  # DeepBench's convention: the same count in every direction
        self.assertEqual(bwd.min_bytes("int8"), (2 * 8 * 81 + 2 * 8 * 45) * 1 + 8 * 4 * 9 * 4)
        self.assertEqual(bwd.output_elements(), 8 * 4 * 9)
        self.assertEqual(conv(1, 1, 2, 2, 1, 5, 5).p(), 0)

    def test_unsupported_reasons_are_the_cpps(self):
        self.assertEqual(conv(1, 6, 4, 4, 4, 1, 1, groups=4).unsupported_reason("fp32"),
                         "channels (c=6, k=4) not divisible by groups=4")
        self.assertEqual(conv(1, 1, 2, 2, 1, 5, 5).unsupported_reason("fp32"),
                         "empty output: the dilated filter is larger than the padded input (n1c1h2w2k1r5s5p0u1)")
        self.assertEqual(conv(1, 1, 4, 4, 1, 1, 1, direction="bwd_data").unsupported_reason("int8"),
                         "int8 is an inference precision: no bwd_data convolution")
        self.assertIsNone(conv(1, 1, 4, 4, 1, 1, 1).unsupported_reason("int8"))


class Tables(unittest.TestCase):
    def test_fixture_table(self):
        shapes = conv_common.load_tables(["tiny"], TESTDATA)
        self.assertEqual([s.label for s in shapes], ["tiny/plain_3x3", "tiny/strided_asym", "tiny/dilated_depthwise",
                                                     "tiny/pointwise_s2"])
        self.assertEqual(shapes[1].problem, conv(2, 6, 7, 8, 4, 3, 2, (1, 0), (2, 3), groups=2))
        self.assertEqual(shapes[2].problem, conv(1, 4, 7, 6, 4, 3, 3, (2, 1), (2, 1), (2, 3), 4))
        self.assertEqual([s.phase for s in shapes], ["training", "training", "training", "inference"])
        self.assertEqual(shapes[3].directions(), ("fwd",))

    def test_refusals_name_file_line_and_field(self):
        head = "label,n,c,h,w,k,r,s,phase"
        cases = {
            f"{head},pad,pad_h\na,1,1,4,4,1,3,3,training,1,1\n": "t.csv:2: field 'pad_h': given together with 'pad'",
            f"{head},pad\na,1,1,4,4,1,3,3,training,-1\n": "t.csv:2: field 'pad': expected a non-negative integer",
            f"{head},stride_w\na,1,1,4,4,1,3,3,training,0\n": "t.csv:2: field 'stride_w': must be positive, got 0",
            f"{head}\na,1,1,4,4,1,3,3,train\n": "t.csv:2: field 'phase': unknown value 'train' (valid: training, "
                                                "inference)",
            f"{head}\na,1,1,4,4,1,3,3,\n": "t.csv:2: field 'phase': missing value",
            "label,n,c,h,w,k,r,s\na,1,1,4,4,1,3,3\n": "t.csv:1: missing column 'phase'",
            f"{head},padding\na,1,1,4,4,1,3,3,training,1\n": "t.csv:1: unknown column 'padding' (valid columns: label, "
                                                              "n, c, h, w, k, r, s, phase, pad, pad_h",
            f"{head}\na,1,1,4,4,x,3,3,training\n": "t.csv:2: field 'k': expected a positive integer, got 'x'",
        }
        for text, message in cases.items():
            with self.assertRaises(InputError, msg=text) as cm:
                conv_common.parse_table(text, "t.csv", "t")
            self.assertIn(message, str(cm.exception))


class Planning(unittest.TestCase):
    def shapes(self, problems=()):
        return conv_common.load_tables(["tiny"], TESTDATA) + conv_common.cli_shapes(list(problems))

    def test_directions_layouts_and_cli_problems(self):
        shapes = self.shapes(["n2c4h6w5k6r3s3p1u1_nchw_bwd_filter_fp16", "n1c2h3w3k2r1s1p0u1"])
        cases = torch_conv.plan_cases(shapes, ["bf16", "fp16"], ["nhwc", "nchw"], conv_common.DIRECTIONS)
        names = [p.canonical(prec) for _, p, prec in cases]
        # 3 training rows x 3 directions + 1 inference row, in 2 layouts, plus the unnamed cli problem's
        # 3 directions x 2 layouts, per precision; the named one only in fp16.
        self.assertEqual(len(cases), 2 * (2 * 10 + 6) + 1)
        self.assertEqual(names[:3], ["n2c4h6w5k6r3s3p1u1_nhwc_fwd_bf16", "n2c4h6w5k6r3s3p1u1_nhwc_bwd_data_bf16",
                                     "n2c4h6w5k6r3s3p1u1_nhwc_bwd_filter_bf16"])
        self.assertEqual(names.count("n2c4h6w5k6r3s3p1u1_nchw_bwd_filter_fp16"), 2)  # the table row and the cli one
        cli = [(s.table, s.label) for s, p, prec in cases if s.table == "cli"]
        self.assertIn(("cli", "n2c4h6w5k6r3s3p1u1"), cli)
        fwd_only = torch_conv.plan_cases(shapes, ["bf16"], ["nhwc"], ["fwd"])
        self.assertEqual({p.direction for _, p, _ in fwd_only}, {"fwd"})
        self.assertEqual(len(fwd_only), 5)

    def test_skip_reasons(self):
        self.assertIn("no fp8 convolution", torch_conv.static_skip_reason(conv(1, 1, 4, 4, 1, 1, 1), "fp8e4m3"))
        self.assertIn("out of this tool's scope", torch_conv.static_skip_reason(conv(1, 1, 4, 4, 1, 1, 1), "int8"))
        self.assertIn("inference precision",
                      torch_conv.static_skip_reason(conv(1, 1, 4, 4, 1, 1, 1, direction="bwd_data"), "int8"))
        self.assertIn("not divisible", torch_conv.static_skip_reason(conv(1, 3, 4, 4, 2, 1, 1, groups=2), "fp16"))
        self.assertIsNone(torch_conv.static_skip_reason(conv(1, 1, 4, 4, 1, 1, 1), "tf32"))

    def run_main(self, argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = torch_conv.main(argv)
        return rc, out.getvalue(), err.getvalue()

    def test_dry_run_and_bad_arguments(self):
        rc, out, _ = self.run_main([f"--shapes-dir={TESTDATA}", "--shapes=tiny", "--precisions=bf16,int8",
                                    "--layouts=nchw", "--dry-run"])
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[-1], "20 cases, 10 runnable, 10 skipped")
        for argv, message in ((["--precisions=fp64"], "--precisions: unknown value 'fp64'"),
                              (["--layouts=nhcw"], "--layouts: unknown value 'nhcw' (valid: nchw, nhwc)"),
                              (["--directions=bwd"], "--directions: unknown value 'bwd'"),
                              (["--shapes=nope"], "unknown conv table 'nope' (valid: tiny"),
                              (["--problem=n1c1h1w1k1r1s1_nhwc_fwd_bf16", "--directions=bwd_data",
                                "--problems-from=/nonexistent.csv"], "no such file '/nonexistent.csv'")):
            rc, _, err = self.run_main([f"--shapes-dir={TESTDATA}", "--dry-run"] + argv)
            self.assertEqual(rc, 2, argv)
            self.assertIn(message, err)

    def test_problems_from_keeps_what_dlbench_ran_ok(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "conv.csv")
            with open(path, "w", newline="") as f:
                w = csv.DictWriter(f, ["name", "problem", "status"])
                w.writeheader()
                w.writerow({"name": "a", "problem": "n2c4h6w5k6r3s3p1u1_nhwc_fwd_bf16", "status": "ok"})
                w.writerow({"name": "b", "problem": "n2c4h6w5k6r3s3p1u1_nhwc_bwd_data_bf16", "status": "failed"})
            rc, out, _ = self.run_main([f"--shapes-dir={TESTDATA}", "--shapes=tiny", "--precisions=bf16",
                                        f"--problems-from={path}", "--dry-run"])
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[-1], "1 cases, 1 runnable, 0 skipped")


class SubsetTable(unittest.TestCase):
    """subset_table.py, which cuts the tables of a timed GPU session: rows verbatim, table name and labels kept."""

    def run_tool(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = subset_table.main(list(argv))
        return rc, out.getvalue(), err.getvalue()

    def test_where_distinct_limit(self):
        source = os.path.join(TESTDATA, "conv", "tiny.csv")
        with tempfile.TemporaryDirectory() as tmp:
            rc, out, _ = self.run_tool(source, tmp, "--where=phase=training", "--where=groups=2|4", "--distinct=n")
            self.assertEqual(rc, 0)
            self.assertIn("2 rows of", out)
            shapes = conv_common.load_tables([os.path.join(tmp, "tiny.csv")], TESTDATA)
            self.assertEqual([(s.table, s.label) for s in shapes], [("tiny", "tiny/strided_asym"),
                                                                    ("tiny", "tiny/dilated_depthwise")])
            rc, out, _ = self.run_tool(source, tmp, "--distinct=r,s", "--limit=2")
            self.assertEqual([s.label for s in conv_common.load_tables([os.path.join(tmp, "tiny.csv")], TESTDATA)],
                             ["tiny/plain_3x3", "tiny/strided_asym"])
            for argv, message in ((["--where=phase"], "expected COLUMN=VALUE"),
                                  (["--where=stage=training"], "has no column 'stage'"),
                                  (["--where=phase=warmup"], "no row left"), (["--distinct=x"], "no column 'x'")):
                rc, _, err = self.run_tool(source, tmp, *argv)
                self.assertEqual(rc, 2, argv)
                self.assertIn(message, err)


class Reference(unittest.TestCase):
    """conv_reference's gathers against fake_torch's scatter-style gradients and direct convolution, in every
    direction, both layouts, with groups, stride, dilation and uneven padding."""

    PROBLEMS = [conv(2, 4, 6, 5, 6, 3, 3, (1, 1)), conv(2, 6, 7, 8, 4, 3, 2, (1, 0), (2, 3), groups=2),
                conv(1, 4, 7, 6, 4, 3, 3, (2, 1), (2, 1), (2, 3), 4), conv(1, 3, 5, 5, 5, 1, 1, stride=(2, 2))]

    def check_all(self, torch, tensors_for, conv2d, backward):
        for base in self.PROBLEMS:
            for layout in conv_common.LAYOUTS:
                for direction in conv_common.DIRECTIONS:
                    p = conv_common.dataclasses.replace(base, layout=layout, direction=direction)
                    x, w, dy = tensors_for(p)
                    args = ([p.stride_h, p.stride_w], [p.pad_h, p.pad_w], [p.dil_h, p.dil_w])
                    if direction == "fwd":
                        out = conv2d(x, w, None, *args, p.groups)
                    else:
                        mask = [direction == "bwd_data", direction == "bwd_filter", False]
                        out = backward(dy, x, w, None, *args, False, [0, 0], p.groups, mask)[0 if mask[0] else 1]
                    error, checked = conv_reference.check(torch, p, {"x": x, "w": w, "dy": dy}, out, 400, 3)
                    self.assertLess(error, 1e-12, p.canonical("fp64"))
                    self.assertEqual(checked, min(400, p.output_elements()))

    def test_against_fake_torch(self):
        fake_torch.reset()
        t = fake_torch.TORCH
        gen = t.Generator()

        def tensors_for(p):
            fmt = t.channels_last if p.layout == "nhwc" else None
            return tuple(t.empty(s, dtype=t.float64, memory_format=fmt).uniform_(-1, 1, generator=gen)
                         for s in ((p.n, p.c, p.h, p.w), (p.k, p.c_per_group(), p.r, p.s), (p.n, p.k, p.p(), p.q())))

        self.check_all(t, tensors_for, fake_torch.conv2d, fake_torch.convolution_backward)

    def test_a_wrong_output_is_caught(self):
        fake_torch.reset(conv_error=1e-3)
        t = fake_torch.TORCH
        gen = t.Generator()
        p = self.PROBLEMS[0]
        x, w = (t.empty(s, dtype=t.float64).uniform_(-1, 1, generator=gen) for s in ((2, 4, 6, 5), (6, 4, 3, 3)))
        error, _ = conv_reference.check(t, p, {"x": x, "w": w}, fake_torch.conv2d(x, w, None, [1, 1], [1, 1],
                                                                                  [1, 1], 1), 50, 1)
        self.assertGreater(error, 1e-4)

    def test_against_pytorch_when_installed(self):
        try:
            import torch  # noqa: PLC0415
        except ImportError:
            self.skipTest("PyTorch is not installed here")
        if torch is fake_torch.TORCH:
            self.skipTest("torch is the fake")

        def tensors_for(p):
            fmt = torch.channels_last if p.layout == "nhwc" else torch.contiguous_format
            return tuple(torch.randn(*s, dtype=torch.float64).contiguous(memory_format=fmt)
                         for s in ((p.n, p.c, p.h, p.w), (p.k, p.c_per_group(), p.r, p.s), (p.n, p.k, p.p(), p.q())))

        self.check_all(torch, tensors_for, torch.nn.functional.conv2d, torch.ops.aten.convolution_backward)


def run_fake(argv, **faults):
    """torch_conv.main with fake_torch as `torch`; returns (exit code, CSV rows, stdout, the fake's state)."""
    state = fake_torch.reset(**faults)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "torch_conv.csv")
        out = io.StringIO()
        saved = sys.modules.get("torch")
        sys.modules["torch"] = fake_torch.TORCH
        try:
            with contextlib.redirect_stdout(out):
                rc = torch_conv.main(argv + [f"--csv={path}"])
        finally:
            if saved is None:
                del sys.modules["torch"]
            else:
                sys.modules["torch"] = saved
        with open(path, newline="") as f:
            raw = f.read()
    return rc, list(csv.DictReader(io.StringIO(raw))), out.getvalue(), state, raw


class TorchConvOnFakeTorch(unittest.TestCase):
    def test_every_direction_and_layout_is_checked_and_timed_cold(self):
        rc, rows, out, state, raw = run_fake(["--shapes=tiny", "--precisions=fp32,tf32", "--layouts=nhwc,nchw"]
                                             + FAST)
        self.assertEqual(rc, 0, out)
        self.assertTrue(raw.startswith(",".join(torch_conv.COLUMNS) + "\r\n"))
        self.assertEqual(len(rows), 40)
        for r in rows:
            self.assertEqual(r["status"], "ok", (r["problem"], r["reason"]))
            self.assertLess(float(r["error"]), 1e-12, r["problem"])
            self.assertEqual((r["kernel"], r["cache"], r["converged"], r["torch_backend"]), ("conv", "cold", "true",
                                                                                             "Cudnn"))
            self.assertEqual(r["output_layout"], r["layout"])
            self.assertAlmostEqual(float(r["time_ms"]), 1.0, places=9)  # the flush stays outside the events
            self.assertAlmostEqual(float(r["tflops"]), float(r["flops"]) / 1e-3 / 1e12)
            self.assertTrue(r["verify_mode"].startswith("sampled "))
            self.assertEqual(r["cudnn"], "91900")
        by = {r["problem"]: r for r in rows}
        self.assertIn("n2c6h7w8k4r3s2ph1pw0uh2uw3g2_nchw_bwd_filter_tf32", by)
        self.assertIn("output_mask=[True, False, False]",
                      by["n2c4h6w5k6r3s3p1u1_nhwc_bwd_data_fp32"]["torch_op"])
        self.assertIn("conv2d", by["n3c3h5w5k5r1s1p0u2_nchw_fwd_tf32"]["torch_op"])
        self.assertEqual(by["n3c3h5w5k5r1s1p0u2_nchw_fwd_tf32"]["phase"], "inference")
        # cuDNN's TF32 math only in tf32 cases; benchmark mode on throughout.
        tf32 = {(name, flag) for name, flag, _ in state.calls}
        self.assertEqual(tf32, {("conv2d", False), ("conv2d", True), ("convolution_backward", False),
                                ("convolution_backward", True)})
        self.assertTrue(fake_torch.TORCH.backends.cudnn.benchmark)
        self.assertGreater(state.sleeps, 0)

    def test_a_wrong_kernel_fails_the_check(self):
        rc, rows, out, _, _ = run_fake(["--problem=n2c4h6w5k6r3s3p1u1_nhwc", "--precisions=bf16"] + FAST,
                                       conv_error=0.05)
        self.assertEqual(rc, 1)
        self.assertEqual([r["status"] for r in rows], ["failed"] * 3)
        self.assertIn("verification failed: error", rows[0]["reason"])
        self.assertEqual(rows[0]["time_ms"], "")

    def test_hot_uses_a_graph_and_falls_back_without_one(self):
        argv = ["--problem=n1c3h5w5k5r1s1p0u2_nchw_fwd_fp16", "--cache=hot"] + FAST
        rc, rows, out, _, _ = run_fake(argv)
        self.assertEqual((rc, rows[0]["status"], rows[0]["cache"]), (0, "ok", "hot"))
        self.assertIn("graph of 5 calls", rows[0]["method"])
        self.assertAlmostEqual(float(rows[0]["time_ms"]), 1.0, places=9)
        rc, rows, out, _, _ = run_fake(argv, graph_fails=True)
        self.assertEqual(rows[0]["status"], "ok")
        self.assertIn("no graph", rows[0]["method"])
        self.assertIn("graph capture failed", out)

    def test_one_failure_does_not_stop_the_others(self):
        rc, rows, out, _, _ = run_fake(["--problem=n1c3h5w5k5r1s1p0u2", "--precisions=fp16,int8"] + FAST,
                                       fail_kernel="convolution_backward")
        self.assertEqual(rc, 1)
        status = [(r["direction"], r["precision"], r["status"]) for r in rows]
        self.assertEqual(status, [("fwd", "fp16", "ok"), ("bwd_data", "fp16", "failed"),
                                  ("bwd_filter", "fp16", "failed"), ("fwd", "int8", "skipped"),
                                  ("bwd_data", "int8", "skipped"), ("bwd_filter", "int8", "skipped")])
        self.assertIn("RuntimeError: CUDA out of memory", rows[1]["reason"])
        self.assertIn("convolution_backward", rows[1]["torch_op"])  # what was built is in the failed row

    def test_time_budget_skips_the_rest(self):
        rc, rows, _, _, _ = run_fake(["--shapes=tiny", "--time-budget=0.000001"] + FAST)
        self.assertEqual(rc, 0)
        self.assertTrue(all(r["status"] == "skipped" and "time budget" in r["reason"] for r in rows))


if __name__ == "__main__":
    unittest.main()
