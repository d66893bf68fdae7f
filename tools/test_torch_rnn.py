"""Tests of tools/rnn_common.py, tools/rnn_reference.py and tools/torch_rnn.py. Standard library only, no GPU, no
PyTorch: torch_rnn.py's GPU path runs against fake_torch.py, whose recurrent layers compute the cells element by
element (code independent of rnn_reference.py), so names, planning, the float64 check, the replayed backward, the
timing loop and the CSV are exercised end to end. Where PyTorch is importable, the reference is also checked against
its nn.RNN, nn.LSTM and nn.GRU.

  python3 -m unittest discover -s tools -p 'test_torch_rnn.py'
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

import fake_torch  # noqa: E402
import rnn_common  # noqa: E402
import rnn_reference  # noqa: E402
import torch_rnn  # noqa: E402
import torch_runner  # noqa: E402
import torch_timing  # noqa: E402
from dlbench_tables import InputError  # noqa: E402
from rnn_common import RnnProblem, parse_problem  # noqa: E402

TESTDATA = os.path.join(HERE, "testdata", "shapes")
FAST = ["--warmup=0.0001", "--min-time=0.01", "--max-time=0.05", f"--shapes-dir={TESTDATA}"]


class Names(unittest.TestCase):
    # What RnnProblem::to_string (kernels/rnn/rnn_problem.cpp) prints: l<L> only when L != 1, uni|bi always.
    CPP = [
        (RnnProblem("lstm", 1024, 1024, 64, 25), "fp16", "lstm_h1024i1024n64t25_uni_inference_fp16"),
        (RnnProblem("gru", 512, 256, 32, 10, 2, True, "training_bwd"), "bf16",
         "gru_h512i256n32t10l2_bi_training_bwd_bf16"),
        (RnnProblem("rnn_relu", 1760, 1760, 16, 50, 1, False, "training_fwd"), "fp32",
         "rnn_relu_h1760i1760n16t50_uni_training_fwd_fp32"),
        (RnnProblem("rnn_tanh", 2560, 1760, 32, 1500, 1, True), "tf32",
         "rnn_tanh_h2560i1760n32t1500_bi_inference_tf32"),
        (RnnProblem("lstm", 1024, 512, 128, 50, 8, False, "training_bwd"), "int8",
         "lstm_h1024i512n128t50l8_uni_training_bwd_int8"),
    ]

    def test_names_match_the_cpp_to_string(self):
        for problem, precision, text in self.CPP:
            self.assertEqual(problem.canonical(precision), text)
            parsed, given = parse_problem(text, strict=True)
            self.assertEqual((parsed, given["precision"]), (problem, precision))
        self.assertEqual(RnnProblem("gru", 2, 3, 4, 5, 3, True).shape_string(), "gru_h2i3n4t5l3_bi")

    def test_parse_leaves_out_what_flags_fill(self):
        problem, given = parse_problem("lstm_h8i4n2t3l2")
        self.assertEqual(given, {"direction": None, "pass": None, "precision": None})
        self.assertEqual((problem.bidirectional, problem.pass_, problem.layers), (False, "inference", 2))
        self.assertEqual(parse_problem("gru_h8i4n2t3_training_bwd")[1]["pass"], "training_bwd")

    def test_parse_refusals(self):
        for text, part in (("lstmx_h1i1n1t1", "expected the cell first"), ("lstm_h1i1n1", "missing 't'"),
                           ("lstm_h1i1n1t0", "'t' must be positive"), ("gru_h1h1i1n1t1", "'h' given twice"),
                           ("gru_h1i1n1t1x2", "unknown token 'x'"), ("gru_h1i1n1t1_uni_train", "unexpected 'train'"),
                           ("gru_h1i1n1t1_inference_bi", "unexpected 'bi'"), ("rnn_h1i1n1t1", "expected the cell")):
            with self.assertRaises(InputError, msg=text) as cm:
                parse_problem(text)
            self.assertIn(f"--problem: '{text}': {part}", str(cm.exception))
        with self.assertRaises(InputError) as cm:
            parse_problem("gru_h1i1n1t1_uni_inference", strict=True)
        self.assertIn("needs its direction (uni|bi), pass and precision", str(cm.exception))


class Formulas(unittest.TestCase):
    def test_full_layer_flops(self):
        p = RnnProblem("lstm", 1024, 512, 64, 25)
        self.assertEqual(p.flops(), 2.0 * 4 * 64 * (512 + 1024) * 1024 * 25)
        stacked = RnnProblem("gru", 8, 5, 3, 7, 2, True, "training_bwd")
        per_dir = 2.0 * 3 * 3 * (5 + 8) * 8 * 7 + 2.0 * 3 * 3 * (16 + 8) * 8 * 7  # layer 1 reads D·H = 16
        self.assertEqual(stacked.flops(), 2 * 2 * per_dir)

    def test_deepbench_flops(self):
        t, n, h = 50, 16, 1760
        self.assertEqual(RnnProblem("rnn_relu", h, h, n, t).flops_deepbench(), 2.0 * t * n * h * h + t * n * h)
        self.assertEqual(RnnProblem("lstm", h, h, n, t).flops_deepbench(), 8.0 * t * n * h * h)
        self.assertEqual(RnnProblem("gru", h, h, n, t, 2, True, "training_bwd").flops_deepbench(),
                         2 * 4 * 6.0 * t * n * h * h)

    def test_weights_and_bytes(self):
        p = RnnProblem("lstm", 2, 3, 5, 7, 2, True)
        # layer 0: W 8×3, R 8×2, two biases of 8, per direction; layer 1 reads 4 wide.
        self.assertEqual(p.weight_elements(), 2 * (24 + 16 + 16) + 2 * (32 + 16 + 16))
        x, y, states, wt = 7 * 5 * 3, 7 * 5 * 4, 2 * 2 * 5 * 2 * 2, 240
        self.assertEqual(p.min_bytes("fp16"), 2.0 * (x + states + wt + y + states))
        bwd = RnnProblem("lstm", 2, 3, 5, 7, 2, True, "training_bwd")
        self.assertEqual(bwd.min_bytes("fp32"), 4.0 * ((x + states + wt) + (2 * y + states) + (x + states + wt)))

    def test_unsupported_reason_is_the_cpps(self):
        self.assertEqual(RnnProblem("gru", 1, 1, 1, 1).unsupported_reason("int8"),
                         "RNNs in int8 need per-tensor quantisation scales and an integer or fp8 recipe that this "
                         "suite does not model")
        self.assertIsNone(RnnProblem("gru", 1, 1, 1, 1).unsupported_reason("bf16"))


class Tables(unittest.TestCase):
    def test_fixture_table(self):
        shapes = rnn_common.load_tables(["tiny"], TESTDATA)
        self.assertEqual([s.problem.shape_string() for s in shapes],
                         ["rnn_relu_h3i2n2t3_uni", "rnn_tanh_h3i4n2t3_bi", "lstm_h3i2n3t4l2_uni",
                          "gru_h2i3n2t3l2_bi"])
        self.assertEqual([s.passes() for s in shapes], [("inference",), ("training_fwd", "training_bwd"),
                                                        ("training_fwd", "training_bwd"), ("inference",)])

    def test_refusals_name_file_line_and_field(self):
        head = "label,cell,hidden,input,batch,steps,phase"
        cases = {
            f"{head}\na,lstmx,1,1,1,1,training\n": "t.csv:2: field 'cell': unknown value 'lstmx' (valid: rnn_relu, "
                                                   "rnn_tanh, lstm, gru)",
            f"{head},direction\na,gru,1,1,1,1,training,both\n": "t.csv:2: field 'direction': unknown value 'both'",
            f"{head},layers\na,gru,1,1,1,1,training,0\n": "t.csv:2: field 'layers': must be positive, got 0",
            f"{head}\na,gru,1,1,,1,training\n": "t.csv:2: field 'batch': missing value",
            "label,cell,hidden,input,batch,steps\na,gru,1,1,1,1\n": "t.csv:1: missing column 'phase'",
            f"{head},dropout\na,gru,1,1,1,1,training,0\n": "t.csv:1: unknown column 'dropout'",
        }
        for text, message in cases.items():
            with self.assertRaises(InputError, msg=text) as cm:
                rnn_common.parse_table(text, "t.csv", "t")
            self.assertIn(message, str(cm.exception))


class Planning(unittest.TestCase):
    def test_passes_and_cli_problems(self):
        shapes = rnn_common.load_tables(["tiny"], TESTDATA) + rnn_common.cli_shapes(
            ["lstm_h4i4n2t2", "gru_h4i4n2t2_bi_training_bwd_fp16"])
        cases = torch_rnn.plan_cases(shapes, ["bf16", "fp16"], rnn_common.PASSES)
        names = [p.canonical(prec) for _, p, prec in cases]
        self.assertEqual(len(cases), 2 * (6 + 3) + 1)
        self.assertEqual(names[:3], ["rnn_relu_h3i2n2t3_uni_inference_bf16", "rnn_tanh_h3i4n2t3_bi_training_fwd_bf16",
                                     "rnn_tanh_h3i4n2t3_bi_training_bwd_bf16"])
        self.assertEqual(names[-1], "gru_h4i4n2t2_bi_training_bwd_fp16")
        rows = [torch_rnn.base_row(s, p, prec, "cold") for s, p, prec in cases if s.table == "cli"]
        self.assertEqual([(r["label"], r["pass"], r["phase"]) for r in rows[:3]],
                         [("lstm_h4i4n2t2_uni", "inference", "inference"),
                          ("lstm_h4i4n2t2_uni", "training_fwd", "training"),
                          ("lstm_h4i4n2t2_uni", "training_bwd", "training")])
        only_bwd = torch_rnn.plan_cases(shapes, ["bf16"], ["training_bwd"])
        self.assertEqual({p.pass_ for _, p, _ in only_bwd}, {"training_bwd"})

    def test_named_precision_runs_whatever_the_flag(self):
        shapes = rnn_common.cli_shapes(["gru_h4i4n2t2_bi_training_bwd_fp16"])
        self.assertEqual(torch_runner.with_named_precisions(shapes, ["bf16"], rnn_common.PRECISIONS),
                         ["bf16", "fp16"])

    def test_dry_run_and_bad_arguments(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = torch_rnn.main(["--shapes=tiny", "--precisions=fp16,int8", "--dry-run"] + FAST)
        self.assertEqual(rc, 0)
        self.assertEqual(out.getvalue().splitlines()[-1], "12 cases, 6 runnable, 6 skipped")
        self.assertIn("skipped: RNNs in int8 need per-tensor quantisation scales", out.getvalue())
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(torch_rnn.main(["--passes=backward", "--dry-run"] + FAST), 2)
            self.assertEqual(torch_rnn.main(["--shapes=gnmt_missing", "--dry-run"] + FAST), 2)
        self.assertIn("--passes: unknown value 'backward' (valid: inference, training_fwd, training_bwd)",
                      err.getvalue())
        self.assertIn("unknown rnn table 'gnmt_missing'", err.getvalue())


class Reference(unittest.TestCase):
    PROBLEMS = [RnnProblem("rnn_relu", 3, 2, 2, 3), RnnProblem("rnn_tanh", 3, 4, 2, 3, 1, True),
                RnnProblem("lstm", 3, 2, 3, 4, 2), RnnProblem("gru", 2, 3, 2, 3, 2, True)]

    def check_all(self, torch, make_module, inputs):
        for p in self.PROBLEMS:
            module = make_module(p)
            x, h0, c0 = inputs(p)
            y, states = module(x, (h0, c0) if p.cell == "lstm" else h0)
            hy, cy = states if isinstance(states, tuple) else (states, None)
            weights = rnn_reference.module_weights(module, p, lambda v: v.detach().double())
            for b in range(p.batch):
                ref_y, ref_hy, ref_cy = rnn_reference.forward(torch, p, x[:, b].double(), h0[:, b].double(),
                                                              c0[:, b].double() if c0 is not None else None, weights)
                got = [y[:, b], hy[:, b]] + ([cy[:, b]] if cy is not None else [])
                ref = [ref_y, ref_hy] + ([ref_cy] if cy is not None else [])
                error = torch_timing.tensor_relative_error(torch, torch.cat([g.reshape(-1) for g in got]),
                                                           torch.cat([r.reshape(-1) for r in ref]))
                self.assertLess(error, 1e-12, (p.canonical("fp64"), b))

    def test_against_fake_torch(self):
        fake_torch.reset()
        t = fake_torch.TORCH
        gen = t.Generator()

        def make_module(p):
            kind = {"lstm": t.nn.LSTM, "gru": t.nn.GRU}.get(p.cell, t.nn.RNN)
            extra = {"nonlinearity": p.cell[4:]} if p.cell.startswith("rnn_") else {}
            m = kind(p.input, p.hidden, p.layers, bidirectional=p.bidirectional, dtype=t.float64, **extra)
            for param in m.parameters():
                param.uniform_(-0.7, 0.7, generator=gen)
            return m

        def inputs(p):
            def u(*s):
                return t.empty(s, dtype=t.float64).uniform_(-1, 1, generator=gen)
            states = (p.layers * p.directions(), p.batch, p.hidden)
            return u(p.steps, p.batch, p.input), u(*states), u(*states) if p.cell == "lstm" else None

        self.check_all(t, make_module, inputs)

    def test_against_pytorch_when_installed(self):
        try:
            import torch  # noqa: PLC0415
        except ImportError:
            self.skipTest("PyTorch is not installed here")
        if torch is fake_torch.TORCH:
            self.skipTest("torch is the fake")

        def make_module(p):
            kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.get(p.cell, torch.nn.RNN)
            extra = {"nonlinearity": p.cell[4:]} if p.cell.startswith("rnn_") else {}
            return kind(p.input, p.hidden, p.layers, bidirectional=p.bidirectional, dtype=torch.float64, **extra)

        def inputs(p):
            states = (p.layers * p.directions(), p.batch, p.hidden)
            return (torch.randn(p.steps, p.batch, p.input, dtype=torch.float64),
                    torch.randn(*states, dtype=torch.float64),
                    torch.randn(*states, dtype=torch.float64) if p.cell == "lstm" else None)

        with torch.no_grad():
            self.check_all(torch, make_module, inputs)


def run_fake(argv, **faults):
    """torch_rnn.main with fake_torch as `torch`; returns (exit code, CSV rows, stdout, the fake's state)."""
    state = fake_torch.reset(**faults)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "torch_rnn.csv")
        out = io.StringIO()
        saved = sys.modules.get("torch")
        sys.modules["torch"] = fake_torch.TORCH
        try:
            with contextlib.redirect_stdout(out):
                rc = torch_rnn.main(argv + [f"--csv={path}"])
        finally:
            if saved is None:
                del sys.modules["torch"]
            else:
                sys.modules["torch"] = saved
        with open(path, newline="") as f:
            raw = f.read()
    return rc, list(csv.DictReader(io.StringIO(raw))), out.getvalue(), state, raw


class TorchRnnOnFakeTorch(unittest.TestCase):
    def test_every_pass_is_checked_and_timed(self):
        rc, rows, out, state, raw = run_fake(["--shapes=tiny", "--precisions=fp32,tf32"] + FAST)
        self.assertEqual(rc, 0, out)
        self.assertTrue(raw.startswith(",".join(torch_rnn.COLUMNS) + "\r\n"))
        self.assertEqual(len(rows), 12)
        for r in rows:
            self.assertEqual(r["status"], "ok", (r["problem"], r["reason"]))
            self.assertLess(float(r["error"]), 1e-12, r["problem"])
            self.assertEqual((r["kernel"], r["cache"], r["converged"]), ("rnn", "cold", "true"))
            self.assertEqual(r["torch_backend"], "cuDNN (CudnnRnnBackward0)")
            # One fake call (1 ms) per forward; a backward costs 2 ms.
            self.assertAlmostEqual(float(r["time_ms"]), 2.0 if r["pass"] == "training_bwd" else 1.0, places=9)
            self.assertAlmostEqual(float(r["tflops_deepbench"]), float(r["flops_deepbench"]) / float(r["time_ms"])
                                   / 1e9)
            self.assertTrue(r["verify_mode"].startswith("forward, batch entry"))
        by = {r["problem"]: r for r in rows}
        bwd = by["lstm_h3i2n3t4l2_uni_training_bwd_fp32"]
        self.assertIn("torch.autograd.backward", bwd["torch_op"])
        self.assertIn("gradients finite, replay equal", bwd["verify_mode"])
        self.assertIn("(y, hy, cy)", bwd["verify_mode"])
        self.assertIn("eval() under no_grad", by["gru_h2i3n2t3l2_bi_inference_tf32"]["torch_op"])
        self.assertIn("nonlinearity=relu", by["rnn_relu_h3i2n2t3_uni_inference_fp32"]["torch_op"])
        self.assertEqual(by["rnn_relu_h3i2n2t3_uni_inference_fp32"]["flops"], str(2 * 2 * (2 + 3) * 3 * 3))
        flags = {(name.split(".")[-1], cudnn, matmul) for name, cudnn, matmul in state.calls}
        self.assertTrue({("RNN", False, False), ("RNN", True, True), ("backward", False, False),
                         ("backward", True, True)} <= flags)
        self.assertNotIn(("LSTM", True, False), flags)

    def test_a_wrong_cell_fails_the_check(self):
        original = fake_torch._Rnn._step

        def swapped(module, gi, gh, h, c):  # the LSTM's gates i and f swapped, the kind of bug the check exists for
            if module.gates == 4:
                n = module.hidden
                gi = gi[n:2 * n] + gi[:n] + gi[2 * n:]
                gh = gh[n:2 * n] + gh[:n] + gh[2 * n:]
            return original(module, gi, gh, h, c)

        fake_torch._Rnn._step = swapped
        try:
            rc, rows, out, _, _ = run_fake(["--problem=lstm_h3i2n2t3_uni_inference", "--precisions=fp32"] + FAST)
        finally:
            fake_torch._Rnn._step = original
        self.assertEqual(rc, 1)
        self.assertIn("verification failed: forward error", rows[0]["reason"])

    def test_bad_gradients_and_corrupted_replays_fail(self):
        argv = ["--problem=lstm_h3i2n2t3_uni_training_bwd", "--precisions=fp16"] + FAST
        rc, rows, _, _, _ = run_fake(argv, nan_grads=True)
        self.assertEqual((rc, rows[0]["status"]), (1, "failed"))
        self.assertIn("a gradient is missing or not finite", rows[0]["reason"])
        rc, rows, _, _, _ = run_fake(argv, replay_drift=0.01)
        self.assertEqual((rc, rows[0]["status"]), (1, "failed"))
        self.assertIn("replayed backward's dx vs the first call's", rows[0]["reason"])
        rc, rows, _, _, _ = run_fake(argv)
        self.assertEqual(rows[0]["status"], "ok")

    def test_hot_graph_and_failures(self):
        rc, rows, out, _, _ = run_fake(["--problem=gru_h2i3n2t3_bi_training_bwd", "--precisions=bf16", "--cache=hot"]
                                       + FAST)
        self.assertEqual((rc, rows[0]["status"]), (0, "ok"))
        self.assertIn("graph of 3 calls", rows[0]["method"])  # 5 ms sample / 2 ms call
        rc, rows, out, _, _ = run_fake(["--shapes=tiny", "--precisions=fp16,fp8e4m3"] + FAST, fail_kernel="nn.GRU")
        self.assertEqual(rc, 1)
        status = {(r["cell"], r["precision"]): r["status"] for r in rows}
        self.assertEqual(status[("gru", "fp16")], "failed")
        self.assertEqual(status[("lstm", "fp16")], "ok")
        self.assertEqual(status[("lstm", "fp8e4m3")], "skipped")


if __name__ == "__main__":
    unittest.main()
