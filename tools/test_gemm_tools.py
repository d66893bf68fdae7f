"""Tests of tools/gemm_common.py, tools/torch_gemm.py and tools/compare_gemm.py. Standard library only, no GPU, no
PyTorch: torch_gemm.py's GPU path runs against FakeTorch below, a pure-Python stand-in that computes real products
on tiny matrices through strided views, so layouts, the check, the stop rule and the CSV are exercised end to end.

  python3 -m unittest discover -s tools -p 'test_gemm_tools.py'

Set DLBENCH_CSV to a gemm_bench --csv file to also check that every problem name in it is the one this code
derives from the same table row.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import random
import sys
import tempfile
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import compare_gemm  # noqa: E402
import gemm_common  # noqa: E402
import torch_gemm  # noqa: E402
from gemm_common import InputError, Problem, format_number, parse_problem, parse_table  # noqa: E402

SHAPES = os.path.join(HERE, "..", "shapes")


# ----------------------------------------------------------------------------------------------- gemm_common

class FormatNumber(unittest.TestCase):
    # Pairs printed by dlbench's format_number (kernels/common/format.cpp, std::to_chars) for these doubles.
    CPP = [(0.5, "0.5"), (2.0, "2"), (1e5, "1e+05"), (1e-4, "1e-04"), (-0.5, "-0.5"), (1.0, "1"), (0.0, "0"),
           (123456.0, "123456"), (1e16, "1e+16"), (0.1, "0.1"), (1 / 3, "0.3333333333333333"), (1e-5, "1e-05"),
           (2.5e-7, "2.5e-07"), (100.0, "100"), (1234567.0, "1234567"), (-0.0, "-0"), (1e21, "1e+21"),
           (5e-324, "5e-324"), (0.001, "0.001"), (10000.0, "10000"), (99999.0, "99999"), (1e15, "1e+15"),
           (123456789012.0, "123456789012"), (0.00012, "0.00012"), (3e6, "3e+06"),
           (1.7976931348623157e308, "1.7976931348623157e+308"), (1048576.0, "1048576"), (0.007, "0.007")]

    def test_matches_cpp_to_chars(self):
        for value, text in self.CPP:
            self.assertEqual(format_number(value), text, value)


class Problems(unittest.TestCase):
    def test_canonical_names(self):
        self.assertEqual(Problem(4096, 4096, 4096, False, True).canonical("bf16"), "m4096n4096k4096_nt_bf16")
        self.assertEqual(Problem(64, 64, 64, batch=8, alpha=0.5, beta=1).canonical("fp32"),
                         "m64n64k64b8_nn_fp32_alpha0.5_beta1")
        self.assertEqual(Problem(100, 36, 45, False, True, 1, 2, -0.5).canonical(None), "m100n36k45_nt_alpha2_beta-0.5")

    def test_parse_round_trips(self):
        for text in ("m4096n4096k4096_nt_bf16", "m64n64k64b8_nn_fp32_alpha0.5_beta1", "m1n2k3_tt_int8_beta-1",
                     "m17n3k5_tn_fp8e4m3_alpha1e-04"):
            problem, precision = parse_problem(text)
            self.assertEqual(problem.canonical(precision), text)
        self.assertEqual(parse_problem("m8n8k8_nt"), (Problem(8, 8, 8, False, True), None))

    def test_parse_refusals(self):
        for text, part in (("m0n1k1_nn_fp32", "positive"), ("n1m1k1_nn_fp32", "expected 'm"),
                           ("m1n1k1x_nn_fp32", "expected 'b"), ("m1n1k1b2x_nn", "unexpected 'x'"),
                           ("m1n1k1_nx_fp32", "transposes"), ("m1n1k1_nn_fp64", "unknown precision"),
                           ("m1n1k1_nn_fp32_alpha", "alpha<number>"), ("m1n1k1_nn_fp32_beta1_x", "unexpected 'x'"),
                           ("m1n1k1_nn_fp32_alpha+1", "alpha<number>"), ("m1n1k1", "transposes")):
            with self.assertRaises(InputError, msg=text) as cm:
                parse_problem(text)
            self.assertIn(part, str(cm.exception))

    def test_flops(self):
        self.assertEqual(Problem(2, 3, 4, batch=5).flops(), 240.0)
        self.assertEqual(Problem(8192, 57344, 8192, False, True).flops(), 2.0 * 8192 * 57344 * 8192)


class Tables(unittest.TestCase):
    def test_repository_tables(self):
        smoke = gemm_common.load_tables(["smoke"], SHAPES)
        llm = gemm_common.load_tables(["llm"], SHAPES)
        self.assertEqual((len(smoke), len(llm)), (11, 52))
        self.assertEqual({s.table for s in smoke}, {"smoke"})
        # The names gemm_bench wrote for smoke.csv in bf16 (its CSV's `problem` column), in table order.
        expected = ["m64n64k64_nn", "m33n67k129_tn", "m67n129k33_nt", "m129n33k67_tt", "m96n80k1_nn", "m1n192k160_nt",
                    "m48n40k56b4_nn", "m72n72k72_nn_bf16_alpha0.5", "m80n48k100_tn_bf16_beta1",
                    "m100n36k45_nt_bf16_alpha2_beta-0.5", "m17n3k5_tt"]
        got = [s.problem.canonical("bf16") for s in smoke]
        self.assertEqual(got, [e if e.count("_") > 1 else e + "_bf16" for e in expected])
        self.assertEqual(llm[0].label, "llama2-7b/attn_qkv/decode_t1")
        self.assertEqual(llm[-1].problem.canonical("fp8e4m3"), "m2048n32000k8192_nt_fp8e4m3")
        total = sum(s.problem.flops() for s in llm)
        self.assertAlmostEqual(total / 1e12, 24.6697, places=3)  # shapes/gemm/README.md: about 24.7 TFLOP

    def test_defaults_quotes_and_optional_columns(self):
        text = '# c\n\nlabel , m,n,k,trans_a,trans_b\n"a/b",1, 2 ,3,n,t\r\n'
        (s,) = parse_table(text, "t.csv", "t")
        self.assertEqual((s.label, s.problem), ("a/b", Problem(1, 2, 3, False, True)))
        text = "label,m,n,k,trans_a,trans_b,batch,alpha,beta\nx,1,2,3,t,n,,,\n"
        self.assertEqual(parse_table(text, "t.csv", "t")[0].problem, Problem(1, 2, 3, True, False, 1, 1.0, 0.0))

    def test_refusals_name_file_line_and_field(self):
        head = "label,m,n,k,trans_a,trans_b\n"
        cases = {
            head + "a,1,2,3,n,x\n": "t.csv:2: field 'trans_b': unknown value 'x'",
            head + "a,0,2,3,n,n\n": "t.csv:2: field 'm': must be positive, got 0",
            head + "a,+1,2,3,n,n\n": "t.csv:2: field 'm': expected a positive integer, got '+1'",
            head + "a,1,2,3,n,n\na,1,2,3,n,n\n": "t.csv:3: field 'label': label 'a' already used on line 2",
            head + "-a,1,2,3,n,n\n": "must start with a letter or digit",
            head + "a b,1,2,3,n,n\n": "character ' ' is not allowed",
            head + "a,1,2,n,n\n": "t.csv:2: expected 6 fields (one per header column), found 5",
            head + "a,1,,3,n,n\n": "t.csv:2: field 'n': missing value",
            "label,m,n,k,trans_a,trans_b,gamma\na,1,2,3,n,n,1\n": "t.csv:1: unknown column 'gamma'",
            "label,m,n,k,trans_a\na,1,2,3,n\n": "t.csv:1: missing column 'trans_b'",
            "label,m,n,k,trans_a,trans_b,alpha\na,1,2,3,n,n,inf\n": "field 'alpha': expected a finite number",
            "# only\n": "empty shape table", head: "has a header but no rows",
            'label,m,n,k,trans_a,trans_b\n"a"x,1,2,3,n,n\n': "unexpected 'x' after a closing quote",
        }
        for text, message in cases.items():
            with self.assertRaises(InputError, msg=text) as cm:
                parse_table(text, "t.csv", "t")
            self.assertIn(message, str(cm.exception))

    def test_resolve_table(self):
        with self.assertRaises(InputError) as cm:
            gemm_common.resolve_table("nope", SHAPES)
        self.assertIn("valid: default, inference_device", str(cm.exception))
        path, name = gemm_common.resolve_table(os.path.join(SHAPES, "gemm", "smoke.csv"), "/nonexistent")
        self.assertEqual(name, "smoke")
        with self.assertRaises(InputError):
            gemm_common.load_tables(["smoke", path], SHAPES)  # the same table name twice, as gemm_bench refuses

    @unittest.skipUnless(os.environ.get("DLBENCH_CSV"), "DLBENCH_CSV not set")
    def test_names_agree_with_a_gemm_bench_csv(self):
        rows, _ = gemm_common.read_csv_rows(os.environ["DLBENCH_CSV"])
        tables = {}
        for r in rows:
            if r["table"] == "cli":
                continue
            if r["table"] not in tables:
                tables[r["table"]] = {s.label: s for s in gemm_common.load_tables([r["table"]], SHAPES)}
            shape = tables[r["table"]][r["label"]]
            self.assertEqual(shape.problem.canonical(r["precision"]), r["problem"], r["name"])


# ----------------------------------------------------------------------------------------------- torch_gemm planning

class Planning(unittest.TestCase):
    def test_fp8_layout_and_shape_rules(self):
        skip = torch_gemm.static_skip_reason
        self.assertIsNone(skip(Problem(16, 32, 64, False, True), "fp8e4m3"))
        self.assertIn("nt layout only", skip(Problem(16, 32, 64, False, False), "fp8e4m3"))
        self.assertIn("nt layout only", skip(Problem(16, 32, 64, True, True), "fp8e4m3"))
        self.assertIn("2-D only", skip(Problem(16, 32, 64, False, True, batch=2), "fp8e4m3"))
        self.assertIn("beta", skip(Problem(16, 32, 64, False, True, beta=1), "fp8e4m3"))
        self.assertIn("multiples of 16", skip(Problem(16, 33, 64, False, True), "fp8e4m3"))
        self.assertIsNone(skip(Problem(3, 5, 7, True, True, batch=2, alpha=2, beta=1), "fp16"))
        self.assertIn("e5m2", skip(Problem(16, 32, 64, False, True), "fp8e5m2"))
        self.assertIn("int8", skip(Problem(16, 32, 64), "int8"))

    def test_order_and_cli_precision(self):
        shapes = gemm_common.load_tables(["smoke"], SHAPES) + gemm_common.cli_shapes(
            gemm_common.split_list(["m8n8k8_nt_bf16,m4n4k4_nn"]))
        cases = torch_gemm.plan_cases(shapes, ["fp16", "bf16"])
        self.assertEqual([p for _, p in cases], ["fp16"] * 12 + ["bf16"] * 13)
        cli = [(s.table, s.label, p) for s, p in cases if s.table == "cli"]
        self.assertEqual(cli, [("cli", "m4n4k4_nn", "fp16"), ("cli", "m8n8k8_nt", "bf16"),
                               ("cli", "m4n4k4_nn", "bf16")])

    def test_dry_run_needs_no_torch(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = torch_gemm.main(["--shapes=smoke,llm", "--problem=m8192n8192k8192_nt_bf16",
                                  "--precisions=bf16,fp16,fp8e4m3,tf32", "--dry-run"])
        self.assertEqual(rc, 0)
        lines = out.getvalue().splitlines()
        # 63 rows in 4 precisions + the cli problem in bf16; fp8 skips 8 smoke layouts, odd_nt (k, n) and scaled_nt.
        self.assertEqual(lines[-1], "253 cases, 243 runnable, 10 skipped")
        self.assertTrue(any(line.startswith("m8192n8192k8192_nt_bf16") and "cli/m8192n8192k8192_nt" in line
                            for line in lines))

    def test_bad_arguments_exit_2(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(torch_gemm.main(["--precisions=fp64", "--dry-run"]), 2)
            self.assertEqual(torch_gemm.main(["--shapes=nope", "--dry-run"]), 2)
            self.assertEqual(torch_gemm.main(["--problem=m8n8k8_nt_bf16", "--precisions=fp16", "--dry-run"]), 2)
        self.assertIn("unknown precision 'fp64'", err.getvalue())

    def test_summary_and_stop_rule(self):
        s = torch_gemm.summarize([4.0, 1.0, 3.0, 2.0])
        self.assertEqual((s["median"], s["min"], s["max"], s["samples"]), (2.5, 1.0, 4.0, 4))
        self.assertAlmostEqual(s["cov"], math.sqrt(5 / 3) / 2.5)
        cfg = types.SimpleNamespace(min_samples=3, min_time=0.5, max_time=2.0, noise=1.0)
        self.assertEqual(torch_gemm.stop_rule([1.0, 1.0], 9.0, 0.1, cfg), (False, False))  # too few samples
        self.assertEqual(torch_gemm.stop_rule([1.0] * 3, 0.4, 0.1, cfg), (False, False))  # too little time
        self.assertEqual(torch_gemm.stop_rule([1.0] * 3, 0.6, 0.1, cfg), (True, True))
        self.assertEqual(torch_gemm.stop_rule([1.0, 2.0, 3.0], 0.6, 2.5, cfg), (True, False))  # noisy, out of time


# ----------------------------------------------------------------------------------------------- FakeTorch

class FakeDtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


class FakeState:
    """The fake GPU: a clock that GEMMs and fills advance, and what the tests want to look at afterwards."""

    def __init__(self):
        self.clock = 0.0
        self.capturing = None
        self.calls = []            # (op name, allow_tf32, shapes)
        self.fail_shapes = set()   # (m, n, k) whose GEMM raises, like an out-of-memory case
        self.graph_fails = False
        self.jitter = 0.0          # relative, alternating sign: makes the CoV non-zero
        self.sleeps = 0


class FakeTensor:
    def __init__(self, storage, shape, strides, offset, dtype):
        self.storage, self.shape, self._strides, self.offset, self.dtype = storage, tuple(shape), tuple(strides), \
            offset, dtype

    @classmethod
    def new(cls, shape, dtype, fill=math.nan):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        n = 1
        for d in shape:
            n *= d
        strides, acc = [], 1
        for d in reversed(shape):
            strides.insert(0, acc)
            acc *= d
        return cls([fill] * n, shape, strides, 0, dtype)

    def stride(self):
        return self._strides

    def dim(self):
        return len(self.shape)

    def _pos(self, index):
        return self.offset + sum(i * s for i, s in zip(index, self._strides))

    def get(self, *index):
        return self.storage[self._pos(index)]

    def set(self, value, *index):
        self.storage[self._pos(index)] = value

    def indices(self):
        out = [()]
        for d in self.shape:
            out = [i + (j,) for i in out for j in range(d)]
        return out

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        shape, strides, offset = [], [], self.offset
        for dim, k in enumerate(key):
            if isinstance(k, int):
                assert 0 <= k < self.shape[dim], (k, self.shape)
                offset += k * self._strides[dim]
            else:
                assert k == slice(None), k
                shape.append(self.shape[dim])
                strides.append(self._strides[dim])
        shape += self.shape[len(key):]
        strides += self._strides[len(key):]
        return FakeTensor(self.storage, shape, strides, offset, self.dtype)

    def transpose(self, d0, d1):
        shape, strides = list(self.shape), list(self._strides)
        shape[d0], shape[d1] = shape[d1], shape[d0]
        strides[d0], strides[d1] = strides[d1], strides[d0]
        return FakeTensor(self.storage, shape, strides, self.offset, self.dtype)

    def t(self):
        assert self.dim() == 2
        return self.transpose(0, 1)

    def to(self, dtype):
        out = FakeTensor.new(self.shape, dtype)
        for i in self.indices():
            out.set(self.get(*i), *i)
        return out

    def float(self):
        return self.to(FAKE_TORCH.float32)

    def double(self):
        return self.to(FAKE_TORCH.float64)

    def clone(self):
        return self.to(self.dtype)

    def item(self):
        assert self.shape == (), self.shape
        return self.storage[self.offset]

    def uniform_(self, lo, hi, generator=None):
        assert self.dtype not in (FAKE_TORCH.float8_e4m3fn,), "uniform_ has no fp8 kernel"
        for i in self.indices():
            self.set(generator.rng.uniform(lo, hi), *i)
        return self

    def fill_(self, value):
        assert self.dtype is FAKE_TORCH.uint8 and len(self.shape) == 1
        FAKE.clock += 40e-6
        return self

    def addmm_(self, a, b, beta=1.0, alpha=1.0):
        return FAKE_TORCH._gemm("addmm_", a, b, self, alpha, beta)

    def baddbmm_(self, a, b, beta=1.0, alpha=1.0):
        assert a.dim() == 3
        return FAKE_TORCH._gemm("baddbmm_", a, b, self, alpha, beta)


class FakeEvent:
    def __init__(self, enable_timing=False):
        assert enable_timing
        self.t = None

    def record(self):
        assert FAKE.capturing is None
        self.t = FAKE.clock

    def synchronize(self):
        pass

    def elapsed_time(self, end):
        return (end.t - self.t) * 1e3


class FakeGraph:
    def __init__(self):
        self.thunks = []

    def replay(self):
        for thunk in self.thunks:
            thunk()


class FakeTorchModule(types.ModuleType):
    def __init__(self):
        super().__init__("torch")
        self.__version__ = "0.0+fake"
        self.version = types.SimpleNamespace(cuda="0.0")
        for name in ("float32", "float16", "bfloat16", "float8_e4m3fn", "float64", "uint8"):
            setattr(self, name, FakeDtype(name))
        self.backends = types.SimpleNamespace(cuda=types.SimpleNamespace(matmul=types.SimpleNamespace(
            allow_tf32=False)))
        props = types.SimpleNamespace(major=9, minor=0, L2_cache_size=4096)
        module = self

        class Generator:
            def __init__(self, device=None):
                self.rng = random.Random(0)

            def manual_seed(self, seed):
                self.rng.seed(seed)

        self.Generator = Generator

        @contextlib.contextmanager
        def graph(g):
            FAKE.capturing = g.thunks
            try:
                if FAKE.graph_fails:
                    raise RuntimeError("operation not permitted when stream is capturing")
                yield
            finally:
                FAKE.capturing = None

        class Stream:
            def wait_stream(self, other):
                pass

        self.cuda = types.SimpleNamespace(
            is_available=lambda: True, device_count=lambda: 1, set_device=lambda i: None,
            get_device_properties=lambda i: props, get_device_name=lambda i: "NVIDIA H100 80GB HBM3 (fake)",
            synchronize=lambda: None, empty_cache=lambda: None, Event=FakeEvent, CUDAGraph=FakeGraph, graph=graph,
            Stream=Stream, stream=lambda s: contextlib.nullcontext(), current_stream=lambda: Stream(),
            _sleep=lambda cycles: setattr(FAKE, "sleeps", FAKE.sleeps + 1))
        self._module = module

    @staticmethod
    def device(kind, index):
        return f"{kind}:{index}"

    def empty(self, shape, dtype=None, device=None):
        return FakeTensor.new(shape, dtype)

    def tensor(self, value, dtype=None, device=None):
        return FakeTensor([float(value)], (), (), 0, dtype)

    def dot(self, x, y):
        assert x.shape == y.shape and len(x.shape) == 1 and x.dtype is y.dtype
        return FakeTensor([sum(x.get(i) * y.get(i) for i in range(x.shape[0]))], (), (), 0, x.dtype)

    def matmul(self, a, b, out=None):
        return self._gemm("matmul", a, b, out, 1.0, 0.0)

    def _scaled_mm(self, a, b, scale_a=None, scale_b=None, out_dtype=None, use_fast_accum=False):
        assert a.dtype is self.float8_e4m3fn and b.dtype is self.float8_e4m3fn
        assert a.stride() == (a.shape[1], 1), "mat1 must be row-major"
        assert b.stride() == (1, b.shape[0]), "mat2 must be column-major"
        if a.shape[1] % 16 or b.shape[1] % 16:
            raise RuntimeError("mat2 shape must be divisible by 16")
        out = FakeTensor.new((a.shape[0], b.shape[1]), out_dtype)
        self._gemm("_scaled_mm", a, b, out, scale_a.item() * scale_b.item(), 0.0)
        return out

    def _gemm(self, name, a, b, d, alpha, beta):
        batched = a.dim() == 3
        m, k = a.shape[-2:]
        k2, n = b.shape[-2:]
        assert k == k2 and d.shape[-2:] == (m, n), (a.shape, b.shape, d.shape)
        if (m, n, k) in FAKE.fail_shapes:
            raise RuntimeError("CUDA out of memory (fake)")
        FAKE.calls.append((name, self.backends.cuda.matmul.allow_tf32, a.shape, b.shape))

        def run():
            for bi in range(a.shape[0] if batched else 1):
                idx = (bi,) if batched else ()
                for i in range(m):
                    for j in range(n):
                        acc = sum(a.get(*idx, i, p) * b.get(*idx, p, j) for p in range(k))
                        old = d.get(*idx, i, j) if beta != 0 else 0.0
                        d.set(alpha * acc + beta * old, *idx, i, j)
            step = 1e-3 * (1 + FAKE.jitter * (1 if len(FAKE.calls) % 2 else -1))
            FAKE.clock += step

        if FAKE.capturing is not None:
            FAKE.capturing.append(run)
        else:
            run()
        return d


FAKE = FakeState()
FAKE_TORCH = FakeTorchModule()


def run_fake(argv, **state):
    """torch_gemm.main with FakeTorch as `torch`; returns (exit code, CSV rows, stdout)."""
    global FAKE
    FAKE = FakeState()
    for key, value in state.items():
        setattr(FAKE, key, value)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "torch.csv")
        out = io.StringIO()
        saved = sys.modules.get("torch")
        sys.modules["torch"] = FAKE_TORCH
        try:
            with contextlib.redirect_stdout(out):
                rc = torch_gemm.main(argv + [f"--csv={path}"])
        finally:
            if saved is None:
                del sys.modules["torch"]
            else:
                sys.modules["torch"] = saved
        with open(path, newline="") as f:
            raw = f.read()
        rows = list(csv.DictReader(io.StringIO(raw)))
    return rc, rows, out.getvalue(), raw


FAST = ["--warmup=0.001", "--min-time=0.01", "--max-time=0.05", "--verify-samples=8"]
TABLE = """label,m,n,k,trans_a,trans_b,batch,alpha,beta
t/nn,3,5,4,n,n,1,1,0
t/nt,3,16,16,n,t,1,1,0
t/tn,4,3,5,t,n,1,1,0
t/tt,2,3,4,t,t,1,1,0
t/batched_tn,2,3,4,t,n,3,1,0
t/scaled_nn,3,2,4,n,n,1,0.5,0
t/accumulate_tt,2,2,3,t,t,2,1,1
t/scaled_nt,2,16,32,n,t,1,2,0
"""


class TorchGemmOnFakeTorch(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.table = os.path.join(self.tmp.name, "tiny.csv")
        with open(self.table, "w") as f:
            f.write(TABLE)

    def tearDown(self):
        self.tmp.cleanup()

    def test_every_layout_is_checked_and_timed_cold(self):
        rc, rows, out, raw = run_fake([f"--shapes={self.table}", "--precisions=fp32,tf32,bf16,fp8e4m3"] + FAST)
        self.assertEqual(rc, 0, out)
        self.assertTrue(raw.startswith(",".join(torch_gemm.COLUMNS) + "\r\n"))
        self.assertEqual(len(rows), 32)
        by = {(r["label"], r["precision"]): r for r in rows}
        for (label, precision), r in by.items():
            runnable = precision != "fp8e4m3" or label in ("t/nt", "t/scaled_nt")
            self.assertEqual(r["status"], "ok" if runnable else "skipped", (label, precision, r["reason"]))
            if runnable:
                self.assertLess(float(r["error"]), 1e-12, (label, precision))
                self.assertEqual(r["cache"], "cold")
                self.assertGreaterEqual(int(r["samples"]), 10)
                self.assertEqual(r["converged"], "true")
                # Each fake GEMM takes 1 ms of fake GPU time; the flush sits outside the event pair.
                self.assertAlmostEqual(float(r["time_ms"]), 1.0, places=9)
                flops = 2 * int(r["m"]) * int(r["n"]) * int(r["k"]) * int(r["batch"])
                self.assertAlmostEqual(float(r["tflops"]), flops / 1e-3 / 1e12)
                self.assertEqual(r["device"], "NVIDIA H100 80GB HBM3 (fake)")
        self.assertEqual(by[("t/scaled_nt", "fp8e4m3")]["problem"], "m2n16k32_nt_fp8e4m3_alpha2")
        self.assertIn("scale_a=2", by[("t/scaled_nt", "fp8e4m3")]["torch_op"])
        self.assertIn("baddbmm_", by[("t/accumulate_tt", "bf16")]["torch_op"])
        self.assertIn("addmm_", by[("t/scaled_nn", "fp32")]["torch_op"])
        self.assertIn("torch.matmul", by[("t/batched_tn", "tf32")]["torch_op"])
        # tf32 cases ran with TF32 allowed, fp32 ones without.
        flags = {name: set() for name in ("matmul", "addmm_", "baddbmm_", "_scaled_mm")}
        for name, tf32, _, _ in FAKE.calls:
            flags[name].add(tf32)
        self.assertEqual(flags["matmul"], {True, False})
        self.assertGreater(FAKE.sleeps, 0)

    def test_a_wrong_layout_fails_the_check(self):
        # If op(B) were B itself for trans_b (the mistake the check exists for), shapes this square still fit:
        # only values tell. The view is broken where the call takes it from, as a bug in build() would.
        original = torch_gemm.Runner.build

        def broken(runner, problem, precision, seed):
            ops = original(runner, problem, precision, seed)
            if problem.trans_b and precision != "fp8e4m3":
                op_a, b, d = ops["op_a"], ops["b"], ops["d"]
                ops["op_b"] = b
                ops["call"] = lambda: FAKE_TORCH.matmul(op_a, b, out=d)
            return ops

        torch_gemm.Runner.build = broken
        try:
            path = os.path.join(self.tmp.name, "square.csv")
            with open(path, "w") as f:
                f.write("label,m,n,k,trans_a,trans_b\nsq/nt,4,4,4,n,t\n")
            rc, rows, out, _ = run_fake([f"--shapes={path}", "--precisions=fp32"] + FAST)
        finally:
            torch_gemm.Runner.build = original
        self.assertEqual(rc, 1)
        self.assertEqual(rows[0]["status"], "failed")
        self.assertIn("verification failed", rows[0]["reason"])

    def test_hot_uses_a_graph_and_falls_back_without_one(self):
        rc, rows, out, _ = run_fake(["--problem=m3n5k4_nn_fp16", "--cache=hot"] + FAST)
        self.assertEqual((rc, rows[0]["status"], rows[0]["cache"]), (0, "ok", "hot"))
        self.assertIn("graph of 5 calls", rows[0]["method"])  # 5 ms sample / 1 ms call
        self.assertEqual(rows[0]["runs_per_sample"], "5")
        self.assertAlmostEqual(float(rows[0]["time_ms"]), 1.0, places=9)
        rc, rows, out, _ = run_fake(["--problem=m3n5k4_nn_fp16", "--cache=hot"] + FAST, graph_fails=True)
        self.assertEqual(rows[0]["status"], "ok")
        self.assertIn("no graph", rows[0]["method"])
        self.assertIn("graph capture failed", out)

    def test_one_failure_does_not_stop_the_others_and_noise_is_reported(self):
        rc, rows, out, _ = run_fake([f"--shapes={self.table}", "--precisions=fp16"] + FAST,
                                    fail_shapes={(3, 5, 4)}, jitter=0.05)
        self.assertEqual(rc, 1)
        self.assertEqual(rows[0]["status"], "failed")
        self.assertIn("out of memory", rows[0]["reason"])
        self.assertEqual([r["status"] for r in rows[1:]], ["ok"] * 7)
        for r in rows[1:]:
            self.assertEqual(r["converged"], "false")
            self.assertEqual(r["reason"], "noise target not met within --max-time")
            self.assertAlmostEqual(float(r["cov_pct"]), 5.0, delta=0.5)

    def test_time_budget_skips_the_rest(self):
        rc, rows, out, _ = run_fake([f"--shapes={self.table}", "--precisions=fp16", "--time-budget=0.000001"] + FAST)
        self.assertEqual(rc, 0)
        self.assertTrue(all(r["status"] == "skipped" and "time budget" in r["reason"] for r in rows))


# ----------------------------------------------------------------------------------------------- compare_gemm

DL_HEADER = ["name", "kernel", "backend", "precision", "table", "label", "device", "library", "m", "n", "k", "trans_a",
             "trans_b", "batch", "alpha", "beta", "b_layout", "problem", "flops", "bytes", "time_ms", "time_ms_min",
             "time_ms_max", "samples", "cov_pct", "tflops", "gbps", "intensity", "error", "tolerance", "verified",
             "verify_mode", "status", "reason", "implementation", "threads", "runs_per_sample", "cache", "clock_mhz",
             "throttled", "converged", "repetition"]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\r\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def dl_row(table, label, problem, precision, tflops, cov, status="ok", reason="", **extra):
    r = {"name": f"gemm/cublas/{precision}/{table}/{label}", "kernel": "gemm", "backend": "cublas",
         "precision": precision, "table": table, "label": label, "device": "NVIDIA H100 80GB HBM3 (sm_90)",
         "problem": problem, "status": status, "reason": reason, "cache": "cold", "converged": "true",
         "repetition": "0", "b_layout": "plain", "throttled": "false"}
    if status == "ok":
        r.update(tflops=str(tflops), cov_pct=str(cov))
    r.update(extra)
    return r


def t_row(table, label, problem, precision, tflops, cov, status="ok", reason="", cache="cold"):
    r = {"problem": problem, "table": table, "label": label, "precision": precision, "status": status,
         "reason": reason, "cache": cache, "torch": "2.9.0", "cuda": "13.0", "device": "NVIDIA H100 80GB HBM3",
         "converged": "true"}
    if status == "ok":
        r.update(tflops=str(tflops), cov_pct=str(cov))
    return r


class Compare(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.dl = os.path.join(d, "dlbench.csv")
        self.heur = os.path.join(d, "heur.csv")
        self.torch = os.path.join(d, "torch.csv")
        write_csv(self.dl, DL_HEADER, [
            dl_row("llm", "a/fwd", "m16n32k64_nt_bf16", "bf16", 400, 0.4),
            dl_row("llm", "b/fwd", "m32n32k64_nt_bf16", "bf16", 200, 1.5),
            dl_row("llm", "b/fwd", "m32n32k64_nt_bf16", "bf16", 100, 0.5, repetition="1"),  # folded: median 150
            dl_row("llm", "a/fwd", "m16n32k64_nt_fp8e4m3", "fp8e4m3", 900, 0.2, throttled="true"),
            dl_row("smoke", "s/nn", "m8n8k8_nn_fp8e4m3", "fp8e4m3", 0, 0, "skipped", "cuBLASLt FP8 nt only"),
            dl_row("llm", "c/fwd", "m64n64k64_nt_bf16", "bf16", 50, 0.1),     # no PyTorch row at all
            dl_row("llm", "d/fwd", "m64n64k128_nt_bf16", "bf16", 50, 0.1),    # PyTorch row failed
            dl_row("cli", "m8192n8192k8192_nt", "m8192n8192k8192_nt_bf16", "bf16", 700, 0.3),
        ])
        write_csv(self.heur, DL_HEADER, [
            dl_row("cli", "m8192n8192k8192_nt", "m8192n8192k8192_nt_bf16", "bf16", 650, 0.3)])
        write_csv(self.torch, torch_gemm.COLUMNS, [
            t_row("llm", "a/fwd", "m16n32k64_nt_bf16", "bf16", 500, 0.3),
            t_row("llm", "b/fwd", "m32n32k64_nt_bf16", "bf16", 100, 0.2),
            t_row("llm", "a/fwd", "m16n32k64_nt_fp8e4m3", "fp8e4m3", 900, 0.1),
            t_row("llm", "d/fwd", "m64n64k128_nt_bf16", "bf16", 0, 0, "failed", "RuntimeError: boom"),
            t_row("llm", "x/attn_out", "m8192n8192k8192_nt_bf16", "bf16", 800, 0.2),  # other table, same problem
            t_row("llm", "y/only", "m128n128k128_nt_bf16", "bf16", 10, 0.2),
        ])

    def tearDown(self):
        self.tmp.cleanup()

    def run_compare(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = compare_gemm.main(list(args))
        return rc, out.getvalue(), err.getvalue()

    def test_join_ratios_and_summary(self):
        rc, md, err = self.run_compare(f"--torch={self.torch}", self.dl)
        self.assertEqual(rc, 0, err)
        self.assertIn("4 rows compared, 3 dlbench rows not compared, 1 PyTorch ok rows without a dlbench row to "
                      "compare with", err)
        rows = [line for line in md.splitlines() if line.startswith("| llm/") or line.startswith("| cli/")]
        self.assertEqual(len(rows), 4)
        a = next(r for r in rows if "m16n32k64_nt_bf16" in r)
        # 400 / 500 = 0.8; % of the H100 SXM5 bf16 peak 989.4: 40.4 and 50.5
        self.assertIn("| 400.0 | 0.40 | 500.0 | 0.30 | 0.800 | 40.4 | 50.5 |", a)
        b = next(r for r in rows if "m32n32k64_nt_bf16" in r)
        self.assertIn("| 150.0 | 1.50 | 100.0 | 0.20 | 1.500 |", b)
        self.assertIn("2 repetitions", b)
        fp8 = next(r for r in rows if "fp8e4m3" in r)
        self.assertIn("| 1.000 | 45.5 | 45.5 | dlbench throttled |", fp8)
        cli = next(r for r in rows if r.startswith("| cli/"))
        self.assertIn("PyTorch row llm/x/attn_out", cli)
        # geomean of 0.8, 1.5, 1.0, 0.875
        g = math.exp((math.log(0.8) + math.log(1.5) + math.log(1.0) + math.log(0.875)) / 4)
        self.assertIn(f"4 rows: geometric-mean ratio {g:.3f}, min 0.800 (llm/a/fwd m16n32k64_nt_bf16), "
                      f"dlbench ≥ PyTorch in 2 of 4, max CoV 1.50 % (dlbench) / 0.30 % (PyTorch)", md)
        self.assertIn("- smoke/s/nn m8n8k8_nn_fp8e4m3: dlbench skipped: cuBLASLt FP8 nt only", md)
        self.assertIn("- llm/c/fwd m64n64k64_nt_bf16: no PyTorch row for this problem", md)
        self.assertIn("- llm/d/fwd m64n64k128_nt_bf16: PyTorch failed: RuntimeError: boom", md)
        self.assertIn("bf16 llm: 1", md)
        self.assertNotIn("**note:**", md)

    def test_runs_are_labelled_and_cache_must_match(self):
        write_csv(self.heur, DL_HEADER, [
            dl_row("cli", "m8192n8192k8192_nt", "m8192n8192k8192_nt_bf16", "bf16", 650, 0.3),
            dl_row("llm", "a/fwd", "m16n32k64_nt_bf16", "bf16", 300, 0.3, cache="hot")])
        with open(self.dl, "a", newline="") as f:  # the same cli case, timed hot: its own entry and summary
            csv.DictWriter(f, DL_HEADER, lineterminator="\r\n").writerow(
                dl_row("cli", "m8192n8192k8192_nt", "m8192n8192k8192_nt_bf16", "bf16", 760, 0.1, cache="hot"))
        with open(self.torch, "a", newline="") as f:
            csv.DictWriter(f, torch_gemm.COLUMNS, lineterminator="\r\n").writerow(
                t_row("cli", "m8192n8192k8192_nt", "m8192n8192k8192_nt_bf16", "bf16", 800, 0.1, cache="hot"))
        out = os.path.join(self.tmp.name, "compare.md")
        rc, md, err = self.run_compare(f"--torch={self.torch}", f"--out={out}", f"autotune8={self.dl}",
                                       f"heuristic={self.heur}")
        self.assertEqual((rc, md), (0, ""))
        with open(out) as f:
            md = f.read()
        self.assertIn("| heuristic cold | cli/m8192n8192k8192_nt | m8192n8192k8192_nt_bf16 | bf16 | 650.0 |", md)
        self.assertIn("- heuristic hot: llm/a/fwd m16n32k64_nt_bf16: no PyTorch row with cache=hot", md)
        self.assertIn("| heuristic cold | all | 1 | 0.812 |", md)
        self.assertIn("| autotune8 cold | cli/m8192n8192k8192_nt | m8192n8192k8192_nt_bf16 | bf16 | 700.0 | 0.30 | "
                      "800.0 | 0.20 | 0.875 |", md)
        self.assertIn("| autotune8 hot | cli/m8192n8192k8192_nt | m8192n8192k8192_nt_bf16 | bf16 | 760.0 | 0.10 | "
                      "800.0 | 0.10 | 0.950 | 76.8 | 80.9 |  |", md)
        self.assertIn("| autotune8 hot | all | 1 | 0.950 |", md)

    def test_part_selection(self):
        self.assertEqual(compare_gemm.part_from_device("NVIDIA H100 80GB HBM3"), "h100-sxm5")
        self.assertEqual(compare_gemm.part_from_device("NVIDIA H100 PCIe"), "h100-pcie")
        self.assertEqual(compare_gemm.part_from_device("NVIDIA H100 NVL"), None)
        self.assertEqual(compare_gemm.part_from_device("NVIDIA H200"), "h200-sxm")
        self.assertEqual(compare_gemm.part_from_device("NVIDIA A100-SXM4-80GB"), "a100-sxm4")
        rc, md, err = self.run_compare(f"--torch={self.torch}", "--part=a100-sxm4", self.dl)
        self.assertIn("suggest h100-sxm5, but the peaks are A100 SXM4 80GB's", md)
        self.assertIn("| 400.0 | 0.40 | 500.0 | 0.30 | 0.800 | 128.2 | 160.3 |", md)  # of 312: flagged by eye
        rc, md, err = self.run_compare(f"--torch={self.torch}", "--part=auto", self.dl)
        self.assertIn("H100 SXM5 80GB's dense spec peak", md)

    def test_truncated_and_foreign_files(self):
        with open(self.dl, "a", newline="") as f:
            f.write("gemm/cublas/bf16/llm/z,gemm,cub")  # a writer killed mid-row
        rc, md, err = self.run_compare(f"--torch={self.torch}", self.dl)
        self.assertEqual(rc, 0)
        self.assertIn("row left out", md)
        rc, md, err = self.run_compare(f"--torch={self.torch}", self.torch.replace("torch.csv", "missing.csv"))
        self.assertEqual(rc, 2)
        other = os.path.join(self.tmp.name, "other.csv")
        write_csv(other, ["a", "b"], [{"a": 1, "b": 2}])
        rc, md, err = self.run_compare(f"--torch={self.torch}", other)
        self.assertEqual(rc, 2)
        self.assertIn("not a gemm_bench CSV", err)


if __name__ == "__main__":
    unittest.main()
