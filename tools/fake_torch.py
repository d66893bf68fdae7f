"""A pure-Python stand-in for the part of PyTorch that torch_conv.py and torch_rnn.py use, for their unit tests
(test_torch_conv.py, test_torch_rnn.py): no GPU, no PyTorch, tiny shapes. Not used by the tools themselves.

It computes real results, by code independent of the tools' references: conv2d loops over outputs, both
convolution gradients scatter each output's contribution back (the reference gathers), and the recurrent cells
are written element by element. Tensors are flat lists of Python floats with shapes and strides, so memory formats
(channels_last) and views (slices, transposes) behave as in PyTorch. A fake clock stands in for the GPU: each
library call advances it by a fixed time, CUDA events read it, and a CUDA graph records the calls' costs and
replays them. FakeState holds the clock and the faults a test can switch on.
"""

from __future__ import annotations

import contextlib
import math
import random
import types

CALL_S = 1e-3  # fake GPU time of one library call
FLUSH_S = 40e-6


class FakeState:
    def __init__(self):
        self.clock = 0.0
        self.capturing = None     # the graph being captured: calls record their cost there instead of running it
        self.calls = []           # (name, cudnn.allow_tf32, cuda.matmul.allow_tf32)
        self.graph_fails = False
        self.conv_error = 0.0     # added to every conv output element: a wrong kernel
        self.nan_grads = False    # backward writes NaN into dx
        self.replay_drift = 0.0   # every backward after the first adds this to dx: a corrupted replay
        self.fail_kernel = None   # a call name that raises, like an out-of-memory case
        self.sleeps = 0
        self.backwards = 0
        self.results = {}         # a call's values by its operands: timing repeats a call hundreds of times


STATE = FakeState()


def reset(**faults):
    global STATE
    STATE = FakeState()
    for key, value in faults.items():
        setattr(STATE, key, value)
    return STATE


def _spend(name, seconds=CALL_S):
    """A library call's fake GPU time: now, or on each replay when a graph is being captured."""
    if STATE.fail_kernel == name:
        raise RuntimeError(f"CUDA out of memory (fake, in {name})")
    STATE.calls.append((name, TORCH.backends.cudnn.allow_tf32, TORCH.backends.cuda.matmul.allow_tf32))
    if STATE.capturing is not None:
        STATE.capturing.append(seconds)
    else:
        STATE.clock += seconds


class Dtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


class Format:
    def __init__(self, name):
        self.name = name


def _strides(shape, fmt=None):
    order = list(range(len(shape)))
    if fmt is not None and fmt.name == "channels_last" and len(shape) == 4:
        order = [0, 2, 3, 1]
    strides, acc = [0] * len(shape), 1
    for d in reversed(order):
        strides[d] = acc
        acc *= shape[d]
    return strides


class Tensor:
    def __init__(self, storage, shape, strides, offset, dtype):
        self.storage, self.shape, self._strides, self.offset, self.dtype = storage, tuple(shape), tuple(strides), \
            offset, dtype
        self.grad = None
        self.requires_grad = False
        self.device = "cuda:0"

    @classmethod
    def new(cls, shape, dtype, fmt=None, fill=math.nan):
        n = math.prod(shape)
        return cls([fill] * n, shape, _strides(shape, fmt), 0, dtype)

    @classmethod
    def of(cls, values, shape, dtype):
        return cls(list(values), shape, _strides(shape), 0, dtype)

    # --- element access and views
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

    def values(self):
        return [self.get(*i) for i in self.indices()]

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        shape, strides, offset = [], [], self.offset
        for dim, k in enumerate(key):
            if isinstance(k, int):
                assert 0 <= k < self.shape[dim], (k, self.shape)
                offset += k * self._strides[dim]
            else:
                start, stop, step = k.indices(self.shape[dim])
                assert step == 1
                offset += start * self._strides[dim]
                shape.append(max(0, stop - start))
                strides.append(self._strides[dim])
        shape += self.shape[len(key):]
        strides += self._strides[len(key):]
        return Tensor(self.storage, shape, strides, offset, self.dtype)

    def t(self):
        assert len(self.shape) == 2
        return Tensor(self.storage, self.shape[::-1], self._strides[::-1], self.offset, self.dtype)

    def stride(self):
        return self._strides

    def dim(self):
        return len(self.shape)

    def numel(self):
        return math.prod(self.shape)

    def is_contiguous(self, memory_format=None):
        return self._strides == tuple(_strides(self.shape, memory_format)) or self.numel() <= 1

    # --- copies and conversions
    def to(self, dtype):
        return Tensor.of(self.values(), self.shape, dtype)

    def float(self):
        return self.to(TORCH.float32)

    def double(self):
        return self.to(TORCH.float64)

    def cpu(self):
        return self

    def clone(self):
        return self.to(self.dtype)

    def detach(self):
        return self

    def reshape(self, *shape):
        assert shape == (-1,)
        return Tensor.of(self.values(), (self.numel(),), self.dtype)

    def index_select(self, dim, index):
        picks = [int(v) for v in index.values()]
        shape = list(self.shape)
        shape[dim] = len(picks)
        out = Tensor.new(shape, self.dtype)
        for i in out.indices():
            src = list(i)
            src[dim] = picks[i[dim]]
            out.set(self.get(*src), *i)
        return out

    def item(self):
        assert self.numel() == 1
        return self.get(*([0] * len(self.shape)))

    def __bool__(self):
        return bool(self.item())

    def tolist(self):
        return self.values()

    # --- in place
    def uniform_(self, lo, hi, generator=None):
        for i in self.indices():
            self.set(generator.rng.uniform(lo, hi), *i)
        return self

    def fill_(self, value):
        assert self.dtype is TORCH.uint8
        STATE.clock += FLUSH_S
        return self

    def requires_grad_(self, flag=True):
        self.requires_grad = flag
        return self

    # --- arithmetic (the float64 reference's)
    def _zip(self, other, f):
        if isinstance(other, Tensor):
            assert other.shape == self.shape, (self.shape, other.shape)
            return Tensor.of(map(f, self.values(), other.values()), self.shape, self.dtype)
        return Tensor.of((f(v, other) for v in self.values()), self.shape, self.dtype)

    def __add__(self, other):
        return self._zip(other, lambda a, b: a + b)

    def __sub__(self, other):
        return self._zip(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._zip(other, lambda a, b: b - a)

    def __mul__(self, other):
        return self._zip(other, lambda a, b: a * b)

    def __matmul__(self, other):
        m, k = self.shape
        if len(other.shape) == 1:
            return Tensor.of((sum(self.get(i, p) * other.get(p) for p in range(k)) for i in range(m)), (m,),
                             self.dtype)
        n = other.shape[1]
        return Tensor.of((sum(self.get(i, p) * other.get(p, j) for p in range(k)) for i in range(m) for j in range(n)),
                         (m, n), self.dtype)

    def sum(self):
        return Tensor.of([sum(self.values())], (), self.dtype)

    def all(self):
        return Tensor.of([all(self.values())], (), TORCH.bool)


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


# --------------------------------------------------------------------------------------------- convolution

def _conv_dims(x_shape, w_shape, stride, padding, dilation):
    n, c, h, w = x_shape
    k, _, r, s = w_shape
    p = (h + 2 * padding[0] - dilation[0] * (r - 1) - 1) // stride[0] + 1
    q = (w + 2 * padding[1] - dilation[1] * (s - 1) - 1) // stride[1] + 1
    return n, c, h, w, k, r, s, p, q


def _contributions(x_shape, w_shape, stride, padding, dilation, groups):
    """Every (y index, x index, w index) term of the convolution, input taps in the padding left out."""
    n, c, h, w, k, r, s, p, q = _conv_dims(x_shape, w_shape, stride, padding, dilation)
    cg, kg = c // groups, k // groups
    for ni in range(n):
        for ki in range(k):
            g = ki // kg
            for pi in range(p):
                for qi in range(q):
                    for ci in range(cg):
                        for ri in range(r):
                            ih = pi * stride[0] - padding[0] + ri * dilation[0]
                            if not 0 <= ih < h:
                                continue
                            for si in range(s):
                                iw = qi * stride[1] - padding[1] + si * dilation[1]
                                if 0 <= iw < w:
                                    yield (ni, ki, pi, qi), (ni, g * cg + ci, ih, iw), (ki, ci, ri, si)


def _fmt_of(t):
    return TORCH.channels_last if t.is_contiguous(TORCH.channels_last) and not t.is_contiguous() else None


def _memo(key, operands, compute):
    """A fresh tensor with the values of the first call on these operands (they never change between calls). The
    operands stay referenced beside the result, so their ids in the key cannot be reused by later tensors."""
    if key not in STATE.results:
        STATE.results[key] = (operands, compute())
    first = STATE.results[key][1]
    return Tensor(list(first.storage), first.shape, first.stride(), first.offset, first.dtype)


def conv2d(x, w, bias, stride, padding, dilation, groups):
    assert bias is None
    _spend("conv2d")

    def compute():
        n, c, h, wd, k, r, s, p, q = _conv_dims(x.shape, w.shape, stride, padding, dilation)
        y = Tensor.new((n, k, p, q), x.dtype, _fmt_of(x), fill=STATE.conv_error)
        for yi, xi, wi in _contributions(x.shape, w.shape, stride, padding, dilation, groups):
            y.set(y.get(*yi) + x.get(*xi) * w.get(*wi), *yi)
        return y
    return _memo(("conv2d", id(x), id(w), tuple(stride), tuple(padding), tuple(dilation), groups), (x, w), compute)


def convolution_backward(dy, x, w, bias_sizes, stride, padding, dilation, transposed, output_padding, groups, mask):
    assert bias_sizes is None and not transposed and list(output_padding) == [0, 0] and mask[2] is False
    assert sum(mask) == 1, "one gradient per call"
    _spend("convolution_backward")

    def compute():
        if mask[0]:  # dx scattered from every output's terms (the reference gathers them)
            dx = Tensor.new(x.shape, x.dtype, _fmt_of(x), fill=STATE.conv_error)
            for yi, xi, wi in _contributions(x.shape, w.shape, stride, padding, dilation, groups):
                dx.set(dx.get(*xi) + dy.get(*yi) * w.get(*wi), *xi)
            return dx
        dw = Tensor.new(w.shape, w.dtype, _fmt_of(w), fill=STATE.conv_error)
        for yi, xi, wi in _contributions(x.shape, w.shape, stride, padding, dilation, groups):
            dw.set(dw.get(*wi) + dy.get(*yi) * x.get(*xi), *wi)
        return dw
    out = _memo(("convolution_backward", id(dy), id(x), id(w), tuple(stride), tuple(padding), tuple(dilation),
                 groups, tuple(mask)), (dy, x, w), compute)
    return (out, None, None) if mask[0] else (None, out, None)


# --------------------------------------------------------------------------------------------- recurrent layers

class _Rnn:
    """nn.RNN / nn.LSTM / nn.GRU with PyTorch's parameter names and layouts; the cells element by element."""

    gates = 1
    kind = "RNN"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, nonlinearity="tanh"):
        assert bias and not batch_first and dropout == 0.0
        self.input_size, self.hidden, self.layers, self.dirs = input_size, hidden_size, num_layers, \
            2 if bidirectional else 1
        self.nonlinearity, self.training, self.dtype = nonlinearity, True, dtype
        self._params = []
        gh = self.gates * hidden_size
        for layer in range(num_layers):
            width = input_size if layer == 0 else self.dirs * hidden_size
            for d in range(self.dirs):
                suffix = f"l{layer}" + ("_reverse" if d else "")
                for name, shape in (("weight_ih", (gh, width)), ("weight_hh", (gh, hidden_size)),
                                    ("bias_ih", (gh,)), ("bias_hh", (gh,))):
                    t = Tensor.new(shape, dtype, fill=0.0)
                    t.requires_grad = True
                    setattr(self, f"{name}_{suffix}", t)
                    self._params.append(t)

    def parameters(self):
        return list(self._params)

    def flatten_parameters(self):
        pass

    def eval(self):
        self.training = False
        return self

    def train(self, mode=True):
        self.training = mode
        return self

    def _step(self, gi, gh, h, c):
        n = self.hidden
        if self.gates == 4:
            z = [a + b for a, b in zip(gi, gh)]
            c = [_sigmoid(z[n + j]) * c[j] + _sigmoid(z[j]) * math.tanh(z[2 * n + j]) for j in range(n)]
            return [_sigmoid(z[3 * n + j]) * math.tanh(c[j]) for j in range(n)], c
        if self.gates == 3:
            r = [_sigmoid(gi[j] + gh[j]) for j in range(n)]
            z = [_sigmoid(gi[n + j] + gh[n + j]) for j in range(n)]
            cand = [math.tanh(gi[2 * n + j] + r[j] * gh[2 * n + j]) for j in range(n)]
            return [(1 - z[j]) * cand[j] + z[j] * h[j] for j in range(n)], None
        act = (lambda v: max(v, 0.0)) if self.nonlinearity == "relu" else math.tanh
        return [act(a + b) for a, b in zip(gi, gh)], None

    def __call__(self, x, state):
        _spend(f"nn.{self.kind}")
        hx, cx = state if isinstance(state, tuple) else (state, None)
        steps, batch = x.shape[0], x.shape[1]
        n, gh = self.hidden, self.gates * self.hidden
        seq = [[[x.get(t, b, i) for i in range(x.shape[2])] for b in range(batch)] for t in range(steps)]
        hy, cy = Tensor.new(hx.shape, hx.dtype), Tensor.new(hx.shape, hx.dtype)
        for layer in range(self.layers):
            outs = [[[] for _ in range(batch)] for _ in range(steps)]
            for d in range(self.dirs):
                suffix = f"l{layer}" + ("_reverse" if d else "")
                wi, wh = getattr(self, f"weight_ih_{suffix}"), getattr(self, f"weight_hh_{suffix}")
                bi, bh = getattr(self, f"bias_ih_{suffix}"), getattr(self, f"bias_hh_{suffix}")
                sidx = layer * self.dirs + d
                for b in range(batch):
                    h = [hx.get(sidx, b, j) for j in range(n)]
                    c = [cx.get(sidx, b, j) for j in range(n)] if cx is not None else None
                    for t in (range(steps) if d == 0 else range(steps - 1, -1, -1)):
                        inp = seq[t][b]
                        g_i = [sum(wi.get(g, i) * inp[i] for i in range(len(inp))) + bi.get(g) for g in range(gh)]
                        g_h = [sum(wh.get(g, j) * h[j] for j in range(n)) + bh.get(g) for g in range(gh)]
                        h, c = self._step(g_i, g_h, h, c)
                        outs[t][b] = outs[t][b] + h if d else h + outs[t][b]
                    for j in range(n):
                        hy.set(h[j], sidx, b, j)
                        if c is not None:
                            cy.set(c[j], sidx, b, j)
            seq = outs
        y = Tensor.of((v for t in seq for b in t for v in b), (steps, batch, self.dirs * n), x.dtype)
        # What backward() fills: the inputs that require grad (x first) and the weights; and the autograd node a
        # cuDNN forward leaves, which is how the tool tells cuDNN from PyTorch's own kernels.
        y.leaves = [v for v in (x, hx, cx) if v is not None and v.requires_grad] + self._params
        y.grad_fn = CudnnRnnBackward0()
        return (y, (hy, cy)) if cx is not None else (y, hy)


class CudnnRnnBackward0:
    next_functions = ()


class LSTM(_Rnn):
    gates, kind = 4, "LSTM"


class GRU(_Rnn):
    gates, kind = 3, "GRU"


class RNN(_Rnn):
    pass


def backward(outputs, grads, retain_graph=False):
    """Gradients of the right shapes into every leaf: values stand in (the tools check them for finiteness and for
    equal replays, not against a reference); the faults make them NaN or drift between replays."""
    assert retain_graph and len(outputs) == len(grads)
    _spend("autograd.backward", 2 * CALL_S)
    STATE.backwards += 1
    leaves = outputs[0].leaves
    for leaf in leaves:
        assert leaf.grad is None, "the tool sets every .grad to None before each backward"
        fill = 0.25
        if leaf is leaves[0]:
            fill = math.nan if STATE.nan_grads else 0.25 + STATE.replay_drift * (STATE.backwards - 1)
        leaf.grad = Tensor.new(leaf.shape, leaf.dtype, fill=fill)


# --------------------------------------------------------------------------------------------- the module

class Generator:
    def __init__(self, device=None):
        self.rng = random.Random(0)

    def manual_seed(self, seed):
        self.rng.seed(seed)


class Event:
    def __init__(self, enable_timing=False):
        assert enable_timing
        self.t = None

    def record(self):
        assert STATE.capturing is None
        self.t = STATE.clock

    def synchronize(self):
        pass

    def elapsed_time(self, end):
        return (end.t - self.t) * 1e3


class Graph:
    def __init__(self):
        self.costs = []

    def replay(self):
        STATE.clock += sum(self.costs)


@contextlib.contextmanager
def _graph(g):
    STATE.capturing = g.costs
    try:
        if STATE.graph_fails:
            raise RuntimeError("operation not permitted when stream is capturing")
        yield
    finally:
        STATE.capturing = None


class _Stream:
    def wait_stream(self, other):
        pass


def _module():
    t = types.ModuleType("torch")
    t.__version__ = "0.0+fake"
    t.version = types.SimpleNamespace(cuda="0.0")
    for name in ("float32", "float16", "bfloat16", "float64", "uint8", "int64", "bool"):
        setattr(t, name, Dtype(name))
    t.channels_last, t.contiguous_format = Format("channels_last"), Format("contiguous")
    t.Tensor, t.Generator = Tensor, Generator
    t.backends = types.SimpleNamespace(
        cuda=types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=False)),
        cudnn=types.SimpleNamespace(enabled=True, benchmark=False, allow_tf32=True, version=lambda: 91900,
                                    is_acceptable=lambda x: True))
    props = types.SimpleNamespace(major=9, minor=0, L2_cache_size=4096)
    t.cuda = types.SimpleNamespace(
        is_available=lambda: True, device_count=lambda: 1, set_device=lambda i: None,
        get_device_properties=lambda i: props, get_device_name=lambda i: "NVIDIA H100 80GB HBM3 (fake)",
        synchronize=lambda: None, empty_cache=lambda: None, Event=Event, CUDAGraph=Graph, graph=_graph,
        Stream=_Stream, stream=lambda s: contextlib.nullcontext(), current_stream=_Stream,
        _sleep=lambda cycles: setattr(STATE, "sleeps", STATE.sleeps + 1))
    t.device = lambda kind, index: f"{kind}:{index}"
    t.empty = lambda shape, dtype=None, device=None, memory_format=None: Tensor.new(
        (shape,) if isinstance(shape, int) else tuple(shape), dtype, memory_format)
    t.zeros = lambda n, dtype=None: Tensor.new((n,), dtype, fill=0.0)
    t.tensor = lambda values, dtype=None, device=None: Tensor.of(values, (len(values),), dtype)
    t.dot = lambda a, b: Tensor.of([sum(x * y for x, y in zip(a.values(), b.values()))], (), a.dtype)
    t.sigmoid = lambda a: Tensor.of(map(_sigmoid, a.values()), a.shape, a.dtype)
    t.tanh = lambda a: Tensor.of(map(math.tanh, a.values()), a.shape, a.dtype)
    t.relu = lambda a: Tensor.of((max(v, 0.0) for v in a.values()), a.shape, a.dtype)
    t.isfinite = lambda a: Tensor.of(map(math.isfinite, a.values()), a.shape, t.bool)
    t.stack = lambda ts: Tensor.of((v for x in ts for v in x.values()), (len(ts),) + ts[0].shape, ts[0].dtype)
    t.cat = _cat
    t.no_grad = t.enable_grad = contextlib.nullcontext
    t.nn = types.SimpleNamespace(LSTM=LSTM, GRU=GRU, RNN=RNN, functional=types.SimpleNamespace(conv2d=conv2d))
    t.ops = types.SimpleNamespace(aten=types.SimpleNamespace(convolution_backward=convolution_backward))
    t.autograd = types.SimpleNamespace(backward=backward)
    t._C = types.SimpleNamespace(_select_conv_backend=lambda *a: "_ConvBackend.Cudnn")
    return t


def _cat(ts, dim=0):
    if dim == 0 or len(ts[0].shape) == 1:
        return Tensor.of((v for x in ts for v in x.values()), (sum(x.shape[0] for x in ts),) + ts[0].shape[1:],
                         ts[0].dtype)
    rows = ts[0].shape[0]
    values = [v for i in range(rows) for x in ts for v in x[i].values()]
    return Tensor.of(values, (rows, sum(x.shape[1] for x in ts)), ts[0].dtype)


TORCH = _module()
