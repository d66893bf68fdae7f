"""What the convolution tools (torch_conv.py, compare_torch.py) know about conv_bench's problems: the problem value
with its formulas and canonical name, and the conv shape-table columns. Standard library only.

Everything here mirrors a C++ file and must keep agreeing with it, because rows are joined on the canonical name:
  - kernels/conv/conv_problem.{hpp,cpp}: ConvProblem (p, q, flops, min_bytes, to_string, parse, unsupported_reason);
  - kernels/common/name_tokens.cpp: split_dims and take_suffix, the grammar of every canonical name;
  - kernels/common/precision.cpp: the precisions and their input/output element sizes.
The table columns follow conv_bench's format: `label,n,c,h,w,k,r,s,phase` required; `pad` (or `pad_h,pad_w`),
`stride` (or `stride_h,stride_w`), `dilation` (or `dil_h,dil_w`) and `groups` optional; a training row runs fwd,
bwd_data and bwd_filter, an inference row fwd; the layout comes from --layouts.
"""

from __future__ import annotations

import dataclasses

import dlbench_tables
from dlbench_tables import InputError

PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8e4m3", "fp8e5m2", "int8")
LAYOUTS = ("nchw", "nhwc")
DIRECTIONS = ("fwd", "bwd_data", "bwd_filter")
PHASES = ("training", "inference")
PHASE_DIRECTIONS = {"training": DIRECTIONS, "inference": ("fwd",)}

# Bytes per element of each precision's (input, output) type: kernels/common/precision.cpp with dtype sizes.
ELEMENT_BYTES = {"fp32": (4, 4), "tf32": (4, 4), "fp16": (2, 2), "bf16": (2, 2), "fp8e4m3": (1, 2),
                 "fp8e5m2": (1, 2), "int8": (1, 4)}


def split_dims(geometry: str, where: str, text: str) -> list[tuple[str, int]]:
    """name_tokens.cpp's split_dims: "n16c64ph1pw0" -> [("n", 16), ("c", 64), ("ph", 1), ("pw", 0)]; keys are runs
    of lowercase letters, values non-negative decimal integers."""
    out = []
    i = 0
    while i < len(geometry):
        start = i
        while i < len(geometry) and "a" <= geometry[i] <= "z":
            i += 1
        if i == start:
            raise InputError(f"{where}: '{text}': expected a letter at '{geometry[i:]}'")
        key = geometry[start:i]
        j = i + 1 if i < len(geometry) and geometry[i] == "-" else i  # from_chars(int64) reads a sign
        while j < len(geometry) and geometry[j].isdigit() and geometry[j].isascii():
            j += 1
        digits = geometry[i:j]
        if not digits.lstrip("-") or int(digits) < 0 or int(digits) >= 2**63:
            raise InputError(f"{where}: '{text}': '{key}' needs a non-negative integer")
        out.append((key, int(digits)))
        i = j
    return out


def take_suffix(rest: str, choices) -> tuple[int, str]:
    """name_tokens.cpp's take_suffix: the longest choice at the front of `rest` followed by '_' or the end; returns
    (its index or -1, what is left after it and its '_')."""
    best = -1
    for i, choice in enumerate(choices):
        if not rest.startswith(choice):
            continue
        if len(rest) != len(choice) and rest[len(choice)] != "_":
            continue
        if best < 0 or len(choice) > len(choices[best]):
            best = i
    if best < 0:
        return -1, rest
    return best, rest[len(choices[best]) + 1:]


@dataclasses.dataclass(frozen=True)
class ConvProblem:
    """ConvProblem without its precision (which the tools carry beside it, as GEMM's tools do). Sizes: batch n,
    input channels c, input h × w, k filters of c/groups × r × s."""

    n: int
    c: int
    h: int
    w: int
    k: int
    r: int
    s: int
    pad_h: int = 0
    pad_w: int = 0
    stride_h: int = 1
    stride_w: int = 1
    dil_h: int = 1
    dil_w: int = 1
    groups: int = 1
    layout: str = "nhwc"
    direction: str = "fwd"

    @staticmethod
    def out_size(size, pad, dil, f, stride) -> int:
        """⌊(H + 2·pad − dil·(R−1) − 1) / stride⌋ + 1, or 0 when the dilated filter does not fit the padded input."""
        span = size + 2 * pad - dil * (f - 1) - 1
        return 0 if span < 0 else span // stride + 1

    def p(self) -> int:
        return self.out_size(self.h, self.pad_h, self.dil_h, self.r, self.stride_h)

    def q(self) -> int:
        return self.out_size(self.w, self.pad_w, self.dil_w, self.s, self.stride_w)

    def c_per_group(self) -> int:
        return self.c // self.groups

    def k_per_group(self) -> int:
        return self.k // self.groups

    def src_elements(self) -> int:
        return self.n * self.c * self.h * self.w

    def weight_elements(self) -> int:
        return self.k * self.c_per_group() * self.r * self.s

    def dst_elements(self) -> int:
        return self.n * self.k * self.p() * self.q()

    def output_elements(self) -> int:
        """The direction's output: dst (fwd), src (bwd_data) or weights (bwd_filter)."""
        return {"fwd": self.dst_elements(), "bwd_data": self.src_elements(),
                "bwd_filter": self.weight_elements()}[self.direction]

    def flops(self) -> float:
        """2·N·K·P·Q·(C/G)·R·S, the same for all three directions (DeepBench's convention, MEASURE.md §3)."""
        return 2.0 * self.n * self.k * self.p() * self.q() * self.c_per_group() * self.r * self.s

    def min_bytes(self, precision: str) -> float:
        """The direction's two inputs read once and its output written once."""
        size_in, size_out = ELEMENT_BYTES[precision]
        x, wt, y = self.src_elements(), self.weight_elements(), self.dst_elements()
        if self.direction == "fwd":
            return float((x + wt) * size_in + y * size_out)
        if self.direction == "bwd_data":
            return float((y + wt) * size_in + x * size_out)
        return float((x + y) * size_in + wt * size_out)

    def shape_string(self) -> str:
        """The geometry token: padding and stride always, dilation and groups only when not 1; a pair whose two
        sides differ is written ph<>pw<> (likewise u, d)."""
        def pair(letter, a, b, default, always):
            if a == b:
                return "" if a == default and not always else f"{letter}{a}"
            return f"{letter}h{a}{letter}w{b}"

        t = f"n{self.n}c{self.c}h{self.h}w{self.w}k{self.k}r{self.r}s{self.s}"
        t += pair("p", self.pad_h, self.pad_w, 0, True)
        t += pair("u", self.stride_h, self.stride_w, 1, True)
        t += pair("d", self.dil_h, self.dil_w, 1, False)
        if self.groups != 1:
            t += f"g{self.groups}"
        return t

    def canonical(self, precision: str | None = None) -> str:
        """ConvProblem::to_string: <shape>_<layout>_<direction>[_<precision>]."""
        t = f"{self.shape_string()}_{self.layout}_{self.direction}"
        return t + f"_{precision}" if precision else t

    def unsupported_reason(self, precision: str):
        """ConvProblem::unsupported_reason, word for word: why this is not a valid convolution in `precision`."""
        if self.c % self.groups or self.k % self.groups:
            return f"channels (c={self.c}, k={self.k}) not divisible by groups={self.groups}"
        if self.p() <= 0 or self.q() <= 0:
            return f"empty output: the dilated filter is larger than the padded input ({self.shape_string()})"
        if precision == "int8" and self.direction != "fwd":
            return f"int8 is an inference precision: no {self.direction} convolution"
        return None


_FORM = ("(form: n<N>c<C>h<H>w<W>k<K>r<R>s<S>p<P>u<U>[d<D>][g<G>]_<nchw|nhwc>_<fwd|bwd_data|bwd_filter>"
         "_<precision>)")


def parse_problem(text: str, where: str = "--problem", strict: bool = False):
    """ConvProblem::parse. Returns (problem, given) where given = {"layout", "direction", "precision"} maps each
    token to its value or None when the name left it out (its default stays in the problem); with strict=True all
    three are required, as parse() without `given`."""
    def fail(why):
        raise InputError(f"{where}: '{text}': {why} {_FORM}")

    cut = text.find("_")
    geometry = text if cut < 0 else text[:cut]
    dims: dict[str, int] = {}
    for key, value in split_dims(geometry, where, text):
        if key in dims:
            fail(f"'{key}' given twice")
        dims[key] = value

    def take(key, positive):
        if key not in dims:
            return None
        v = dims.pop(key)
        if positive and v <= 0:
            fail(f"'{key}' must be positive")
        return v

    sizes = {}
    for key in ("n", "c", "h", "w", "k", "r", "s"):
        v = take(key, True)
        if v is None:
            fail(f"missing '{key}'")
        sizes[key] = v

    def take_pair(letter, default, positive):
        one = take(letter, positive)
        if one is not None:
            if f"{letter}h" in dims or f"{letter}w" in dims:
                fail(f"'{letter}' and '{letter}h'/'{letter}w' together")
            return one, one
        a, b = take(f"{letter}h", positive), take(f"{letter}w", positive)
        return (default if a is None else a), (default if b is None else b)

    pad = take_pair("p", 0, False)
    stride = take_pair("u", 1, True)
    dil = take_pair("d", 1, True)
    groups = take("g", True)
    if dims:
        fail(f"unknown token '{sorted(dims)[0]}'")

    rest = "" if cut < 0 else text[cut + 1:]
    given = {"layout": None, "direction": None, "precision": None}
    for name, choices in (("layout", LAYOUTS), ("direction", DIRECTIONS), ("precision", PRECISIONS)):
        i, rest = take_suffix(rest, choices)
        if i >= 0:
            given[name] = choices[i]
    if rest:
        fail(f"unexpected '{rest}'")
    if strict and None in given.values():
        fail("needs its layout, direction and precision")
    problem = ConvProblem(**sizes, pad_h=pad[0], pad_w=pad[1], stride_h=stride[0], stride_w=stride[1],
                          dil_h=dil[0], dil_w=dil[1], groups=1 if groups is None else groups,
                          layout=given["layout"] or "nhwc", direction=given["direction"] or "fwd")
    return problem, given


@dataclasses.dataclass(frozen=True)
class ConvShape:
    """One table row (or --problem) before layout and direction are chosen: where it came from, its geometry
    (a ConvProblem whose layout/direction are placeholders), its phase, and what a --problem fixed."""

    table: str
    label: str
    problem: ConvProblem
    phase: str = "training"
    layout: str | None = None      # a --problem that named these runs in them only
    direction: str | None = None
    precision: str | None = None

    def directions(self) -> tuple[str, ...]:
        return (self.direction,) if self.direction else PHASE_DIRECTIONS[self.phase]


_REQUIRED = ("n", "c", "h", "w", "k", "r", "s", "phase")
_OPTIONAL = ("pad", "pad_h", "pad_w", "stride", "stride_h", "stride_w", "dilation", "dil_h", "dil_w", "groups")


def _pair(row, one, h, w, default, read):
    """A symmetric column (`pad`) or the two sides (`pad_h`, `pad_w`), never both in one row."""
    if row.text(one) is not None:
        for side in (h, w):
            if row.text(side) is not None:
                row.fail(side, f"given together with '{one}' (use '{one}' or '{h}'/'{w}')")
        v = read(one, default)
        return v, v
    return read(h, default), read(w, default)


def table_shapes(table: dlbench_tables.Table) -> list[ConvShape]:
    """The conv columns of a parsed table, checked (conv_bench's table reader)."""
    table.check_columns(_REQUIRED, _OPTIONAL)
    shapes = []
    for row in table.rows:
        pad = _pair(row, "pad", "pad_h", "pad_w", 0, row.non_negative)
        stride = _pair(row, "stride", "stride_h", "stride_w", 1, row.positive)
        dil = _pair(row, "dilation", "dil_h", "dil_w", 1, row.positive)
        problem = ConvProblem(row.positive("n"), row.positive("c"), row.positive("h"), row.positive("w"),
                              row.positive("k"), row.positive("r"), row.positive("s"), pad[0], pad[1], stride[0],
                              stride[1], dil[0], dil[1], row.positive("groups", 1))
        shapes.append(ConvShape(table.name, row.label, problem, row.choice("phase", PHASES)))
    return shapes


def parse_table(text: str, source: str, name: str) -> list[ConvShape]:
    return table_shapes(dlbench_tables.parse_table_text(text, source, name))


def load_tables(specs: list[str], shapes_dir: str) -> list[ConvShape]:
    shapes: list[ConvShape] = []
    for table in dlbench_tables.iter_tables(specs, shapes_dir, "conv"):
        shapes.extend(table_shapes(table))
    return shapes


def cli_shapes(problems: list[str]) -> list[ConvShape]:
    """--problem entries: table 'cli', label the geometry token (shape_string), as conv_bench labels them. A name
    without a direction runs every direction (a training row); layout and precision come from the flags."""
    out = []
    for text in problems:
        problem, given = parse_problem(text)
        out.append(ConvShape("cli", problem.shape_string(), problem, "training", given["layout"], given["direction"],
                             given["precision"]))
    return out
