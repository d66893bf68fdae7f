"""Tests of tools/compare_torch.py on small CSVs written in the column formats of conv_bench, rnn_bench and
gemm_bench (the dlbench side) and of torch_conv.py, torch_rnn.py and torch_gemm.py (the PyTorch side). Standard
library only.

  python3 -m unittest discover -s tools -p 'test_compare_torch.py'
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import compare_torch  # noqa: E402
import torch_conv  # noqa: E402
import torch_gemm  # noqa: E402
import torch_rnn  # noqa: E402

COMMON = ["name", "kernel", "backend", "precision", "table", "label", "device", "library"]
TAIL = ["flops", "bytes", "time_ms", "time_ms_min", "time_ms_max", "samples", "cov_pct", "tflops", "gbps",
        "intensity", "error", "tolerance", "verified", "verify_mode", "status", "reason", "implementation", "threads",
        "runs_per_sample", "cache", "clock_mhz", "throttled", "converged", "repetition"]
CONV_HEADER = COMMON + ["n", "c", "h", "w", "k", "r", "s", "p", "q", "pad_h", "pad_w", "stride_h", "stride_w", "dil_h",
                        "dil_w", "groups", "layout", "direction", "phase", "algorithm", "workspace_mb",
                        "problem"] + TAIL
RNN_HEADER = COMMON + ["cell", "hidden", "input", "batch", "steps", "layers", "direction", "phase", "pass",
                       "flops_convention", "flops_deepbench", "tflops_deepbench", "algorithm", "workspace_mb",
                       "problem"] + TAIL
GEMM_HEADER = COMMON + ["m", "n", "k", "trans_a", "trans_b", "batch", "alpha", "beta", "b_layout", "problem"] + TAIL


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\r\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def dl(kernel, table, label, problem, ms, cov, status="ok", reason="", **extra):
    precision = problem.rsplit("_", 1)[1]
    r = {"name": f"{kernel}/cudnn/{precision}/{table}/{label}", "kernel": kernel, "backend": "cudnn",
         "precision": precision, "table": table, "label": label, "problem": problem, "status": status,
         "reason": reason, "cache": "cold", "converged": "true", "repetition": "0", "throttled": "false",
         "device": "NVIDIA H100 80GB HBM3 (10de:2330, sm_90)"}
    if status == "ok":
        r.update(time_ms=str(ms), cov_pct=str(cov))
    r.update(extra)
    return r


def pt(problem, table, label, precision, ms, cov, status="ok", reason="", cache="cold", **extra):
    r = {"problem": problem, "table": table, "label": label, "precision": precision, "status": status,
         "reason": reason, "cache": cache, "torch": "2.9.0", "cuda": "13.0", "device": "NVIDIA H100 80GB HBM3",
         "converged": "true"}
    if status == "ok":
        r.update(time_ms=str(ms), cov_pct=str(cov))
    r.update(extra)
    return r


class Compare(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.conv, self.rnn, self.gemm = (os.path.join(d, f"{k}.csv") for k in ("conv", "rnn", "gemm"))
        self.t_conv, self.t_rnn, self.t_gemm = (os.path.join(d, f"torch_{k}.csv") for k in ("conv", "rnn", "gemm"))
        fwd, bwd = "n32c64h56w56k64r3s3p1u1_nhwc_fwd", "n32c64h56w56k64r3s3p1u1_nhwc_bwd_data"
        write_csv(self.conv, CONV_HEADER, [
            dl("conv", "resnet50", "conv2_1/3x3", fwd + "_bf16", 0.50, 0.3, direction="fwd",
               algorithm="IMPLICIT_PRECOMP_GEMM (autotune #2)"),
            dl("conv", "resnet50", "conv2_1/3x3", bwd + "_bf16", 0.80, 0.4, direction="bwd_data"),
            dl("conv", "resnet50", "conv2_1/3x3", bwd + "_bf16", 1.20, 0.9, direction="bwd_data", repetition="1"),
            dl("conv", "resnet50", "conv2_1/3x3", fwd + "_fp16", 0.40, 0.2, direction="fwd"),
            dl("conv", "resnet50", "conv3_1/1x1", "n32c256h56w56k128r1s1p0u2_nhwc_fwd_fp16", 0, 0, "skipped",
               "cuDNN: no engine", direction="fwd"),
            dl("conv", "smoke", "odd", "n1c3h5w5k4r3s3p1u1_nhwc_fwd_fp16", 0.010, 1.0, direction="fwd"),
        ])
        write_csv(self.t_conv, torch_conv.COLUMNS, [
            pt(fwd + "_bf16", "resnet50", "conv2_1/3x3", "bf16", 0.60, 0.2, kernel="conv", direction="fwd",
               torch_backend="Cudnn"),
            pt(bwd + "_bf16", "resnet50", "conv2_1/3x3", "bf16", 0.90, 0.1, kernel="conv", direction="bwd_data"),
            pt(fwd + "_fp16", "resnet50", "conv2_1/3x3", "fp16", 0.398, 0.5, kernel="conv", direction="fwd"),
            pt("n1c3h5w5k4r3s3p1u1_nhwc_fwd_fp16", "smoke", "odd", "fp16", 0.005, 0.5, kernel="conv"),
            pt("n8c8h8w8k8r1s1p0u1_nhwc_fwd_fp16", "smoke", "only_torch", "fp16", 0.004, 0.5, kernel="conv"),
        ])
        lstm = "lstm_h1024i1024n64t25_uni"
        write_csv(self.rnn, RNN_HEADER, [
            dl("rnn", "gnmt", "enc/l1", lstm + "_training_fwd_fp16", 2.0, 0.5, **{"pass": "training_fwd",
                                                                                  "direction": "uni"}),
            dl("rnn", "gnmt", "enc/l1", lstm + "_training_bwd_fp16", 4.0, 0.5, **{"pass": "training_bwd",
                                                                                  "direction": "uni"}),
            dl("rnn", "gnmt", "enc/l1", lstm + "_training_bwd_fp16", 3.0, 0.5, cache="hot",
               **{"pass": "training_bwd", "direction": "uni"}),
        ])
        write_csv(self.t_rnn, torch_rnn.COLUMNS, [
            pt(lstm + "_training_fwd_fp16", "gnmt", "enc/l1", "fp16", 2.5, 0.3, kernel="rnn", cudnn="91900",
               **{"pass": "training_fwd"}),
            pt(lstm + "_training_bwd_fp16", "gnmt", "enc/l1", "fp16", 0, 0, "failed", "RuntimeError: boom",
               kernel="rnn", **{"pass": "training_bwd"}),
        ])
        write_csv(self.gemm, GEMM_HEADER, [
            dl("gemm", "llm", "a/fwd", "m16n32k64_nt_bf16", 0.02, 0.4, backend="cublas", b_layout="packed")])
        write_csv(self.t_gemm, torch_gemm.COLUMNS, [pt("m16n32k64_nt_bf16", "llm", "a/fwd", "bf16", 0.025, 0.3)])

    def tearDown(self):
        self.tmp.cleanup()

    def run_compare(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = compare_torch.main(list(args))
        return rc, out.getvalue(), err.getvalue()

    def test_joins_ratios_flags_and_geomeans(self):
        rc, md, err = self.run_compare(f"--torch={self.t_conv}", f"--torch={self.t_rnn}", f"--torch={self.t_gemm}",
                                       self.conv, self.rnn, self.gemm)
        self.assertEqual(rc, 0, err)
        self.assertIn("6 cases compared (3 where PyTorch is faster), 3 dlbench rows not compared, 1 PyTorch ok rows "
                      "without a dlbench row", err)
        # A case's line in its kernel's table: the one with the problem as a cell of its own.
        rows = {problem: line for line in md.splitlines() for problem in line.split(" | ")[2:3]}
        # 0.60 / 0.50: dlbench faster; the bwd_data case folds two repetitions (median 1.0 ms, CoV 0.9).
        self.assertIn("| 0.5 | 0.30 | 0.6 | 0.20 | 1.200 | ok | IMPLICIT_PRECOMP_GEMM (autotune #2) | Cudnn |",
                      rows["n32c64h56w56k64r3s3p1u1_nhwc_fwd_bf16"])
        self.assertIn("| 1 | 0.90 | 0.9 | 0.10 | 0.900 | PyTorch faster |",
                      rows["n32c64h56w56k64r3s3p1u1_nhwc_bwd_data_bf16"])
        self.assertIn("2 repetitions", rows["n32c64h56w56k64r3s3p1u1_nhwc_bwd_data_bf16"])
        # 0.398 / 0.40: PyTorch faster by 0.5 %, under the CoVs added (0.2 + 0.5 %).
        self.assertIn("| 0.995 | PyTorch faster (within noise) |", rows["n32c64h56w56k64r3s3p1u1_nhwc_fwd_fp16"])
        self.assertIn("| 1.250 | ok |", rows["lstm_h1024i1024n64t25_uni_training_fwd_fp16"])
        self.assertIn("| 1.250 | ok |", rows["m16n32k64_nt_bf16"])
        self.assertIn("B packed", rows["m16n32k64_nt_bf16"])
        # Summary: per kernel, table, precision and direction; the conv bf16 fwd and bwd_data groups apart.
        self.assertIn("| conv | resnet50 | bf16 | fwd | 1 | 1.200 |", md)
        self.assertIn("| conv | resnet50 | bf16 | bwd_data | 1 | 0.900 |", md)
        self.assertIn("| rnn | gnmt | fp16 | training_fwd | 1 | 1.250 |", md)
        self.assertIn("| gemm | llm | bf16 | — | 1 | 1.250 |", md)
        g = math.exp((math.log(1.2) + math.log(0.9) + math.log(0.995) + math.log(0.5)) / 4)
        self.assertIn(f"conv: 4 cases, geometric-mean ratio {g:.3f}, min 0.500 (smoke/odd "
                      "n1c3h5w5k4r3s3p1u1_nhwc_fwd_fp16), PyTorch faster in 3 of 4**", md)
        self.assertIn("## Where PyTorch is faster (3)", md)
        self.assertIn("conv smoke/odd n1c3h5w5k4r3s3p1u1_nhwc_fwd_fp16: ratio 0.500, dlbench 0.01 ms vs PyTorch "
                      "0.005 ms", md)
        # Not compared, each with its reason; the hot RNN row has no hot PyTorch row.
        self.assertIn("resnet50/conv3_1/1x1 n32c256h56w56k128r1s1p0u2_nhwc_fwd_fp16: dlbench skipped: cuDNN: no "
                      "engine", md)
        self.assertIn("gnmt/enc/l1 lstm_h1024i1024n64t25_uni_training_bwd_fp16: PyTorch failed: RuntimeError: boom",
                      md)
        self.assertIn("rnn/cudnn hot: gnmt/enc/l1 lstm_h1024i1024n64t25_uni_training_bwd_fp16: no PyTorch row with "
                      "cache=hot", md)
        self.assertIn("conv fp16 smoke: 1", md)  # the PyTorch-only row

    def test_runs_are_labelled(self):
        heur = os.path.join(self.tmp.name, "heur.csv")
        write_csv(heur, CONV_HEADER, [
            dl("conv", "resnet50", "conv2_1/3x3", "n32c64h56w56k64r3s3p1u1_nhwc_fwd_bf16", 0.75, 0.3,
               direction="fwd")])
        out = os.path.join(self.tmp.name, "compare.md")
        rc, md, err = self.run_compare(f"--torch={self.t_conv}", f"--out={out}", f"autotune={self.conv}",
                                       f"heuristic={heur}")
        self.assertEqual((rc, md), (0, ""))
        with open(out) as f:
            md = f.read()
        self.assertIn("| heuristic | conv | resnet50 | bf16 | fwd | 1 | 0.800 |", md)
        self.assertIn("| autotune | conv | resnet50 | bf16 | fwd | 1 | 1.200 |", md)
        self.assertIn("- heuristic: conv resnet50/conv2_1/3x3 n32c64h56w56k64r3s3p1u1_nhwc_fwd_bf16: ratio 0.800", md)

    def test_kernel_from_names_and_bad_input(self):
        self.assertEqual(compare_torch.kernel_of({"problem": "m8n8k8_nn_fp16"}), "gemm")
        self.assertEqual(compare_torch.kernel_of({"problem": "gru_h1i1n1t1_uni_inference_fp16"}), "rnn")
        self.assertEqual(compare_torch.kernel_of({"problem": "n1c1h1w1k1r1s1p0u1_nhwc_fwd_fp16"}), "conv")
        self.assertEqual(compare_torch.problem_key({"problem": "n1c1h1w1k1r1s1p0u1_nhwc_bwd_data", "precision": "bf16",
                                                    "kernel": "conv"}),
                         ("conv", "n1c1h1w1k1r1s1p0u1_nhwc_bwd_data_bf16", "bwd_data"))
        self.assertEqual(compare_torch.problem_key({"problem": "gru_h1i1n1t1_bi_training_bwd_fp16"}),
                         ("rnn", "gru_h1i1n1t1_bi_training_bwd_fp16", "training_bwd"))
        with self.assertRaises(compare_torch.InputError):
            compare_torch.kernel_of({"problem": "x1"})
        other = os.path.join(self.tmp.name, "other.csv")
        write_csv(other, ["a", "b"], [{"a": 1, "b": 2}])
        rc, _, err = self.run_compare(f"--torch={self.t_conv}", other)
        self.assertEqual(rc, 2)
        self.assertIn("no 'problem' column: not a dlbench CSV", err)
        rc, _, err = self.run_compare(f"--torch={self.t_conv}", os.path.join(self.tmp.name, "missing.csv"))
        self.assertEqual(rc, 2)
        rc, md, err = self.run_compare(f"--torch={self.t_gemm}", self.rnn)
        self.assertEqual(rc, 1)  # nothing to compare: a failure a script can see
        self.assertIn("No row has status ok on both sides.", md)


if __name__ == "__main__":
    unittest.main()
