"""What the RNN tools (torch_rnn.py, compare_torch.py) know about rnn_bench's problems: the problem value with its
two FLOP conventions and canonical name, and the RNN shape-table columns. Standard library only.

Everything here mirrors a C++ file and must keep agreeing with it, because rows are joined on the canonical name:
  - kernels/rnn/rnn_problem.{hpp,cpp}: RnnProblem (gates, weight layout, flops, flops_deepbench, min_bytes,
    to_string, parse, unsupported_reason);
  - kernels/common/name_tokens.cpp: the name grammar (split_dims and take_suffix, shared with conv_common.py).
The table columns follow rnn_bench's format: `label,cell,hidden,input,batch,steps,phase` required, `layers` (1) and
`direction` (uni|bi) optional; an inference row runs the `inference` pass, a training row `training_fwd` and
`training_bwd`.
"""

from __future__ import annotations

import dataclasses

import dlbench_tables
from conv_common import ELEMENT_BYTES, PRECISIONS, split_dims, take_suffix
from dlbench_tables import InputError

CELLS = ("rnn_relu", "rnn_tanh", "lstm", "gru")
PASSES = ("inference", "training_fwd", "training_bwd")
DIRECTIONS = ("uni", "bi")
PHASES = ("training", "inference")
PHASE_PASSES = {"training": ("training_fwd", "training_bwd"), "inference": ("inference",)}


@dataclasses.dataclass(frozen=True)
class RnnProblem:
    """RnnProblem without its precision (carried beside it, as the other tools do)."""

    cell: str
    hidden: int
    input: int
    batch: int
    steps: int
    layers: int = 1
    bidirectional: bool = False
    pass_: str = "inference"

    def gates(self) -> int:
        """G: 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n), 1 for the vanilla cells."""
        return {"lstm": 4, "gru": 3}.get(self.cell, 1)

    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def layer_input(self, layer: int) -> int:
        """I_0 = input; a later layer reads the previous one's output, D·H wide."""
        return self.input if layer == 0 else self.directions() * self.hidden

    def weight_elements(self) -> int:
        """W (G·H × I_l), R (G·H × H), b_W and b_R (G·H each) for every layer and direction."""
        gh = self.gates() * self.hidden
        return sum(self.directions() * (gh * self.layer_input(layer) + gh * self.hidden + 2 * gh)
                   for layer in range(self.layers))

    def x_elements(self) -> int:
        return self.steps * self.batch * self.input

    def y_elements(self) -> int:
        return self.steps * self.batch * self.directions() * self.hidden

    def state_elements(self) -> int:
        return self.layers * self.directions() * self.batch * self.hidden

    def flops(self) -> float:
        """Full-layer convention: 2·G·N·(I_l + H)·H·T per layer and direction, both GEMMs of every step, what a
        cuDNN layer call computes; training_bwd (data + weights) counts twice the forward."""
        fwd = sum(2.0 * self.gates() * self.batch * (self.layer_input(layer) + self.hidden) * self.hidden * self.steps
                  for layer in range(self.layers)) * self.directions()
        return 2 * fwd if self.pass_ == "training_bwd" else fwd

    def flops_deepbench(self) -> float:
        """DeepBench's convention: the recurrent GEMMs only, 2·G·T·N·H² per layer and direction, plus T·N·H for the
        vanilla cell's activation; backward data and backward weights each counted as the forward."""
        t, n, h = float(self.steps), float(self.batch), float(self.hidden)
        per_layer = 2.0 * self.gates() * t * n * h * h
        if self.gates() == 1:
            per_layer += t * n * h
        fwd = per_layer * self.layers * self.directions()
        return 2 * fwd if self.pass_ == "training_bwd" else fwd

    def min_bytes(self, precision: str) -> float:
        """The tensors the pass reads, each read once, and those it writes, each written once."""
        size_in, size_out = ELEMENT_BYTES[precision]
        states = float(self.state_elements()) * (2 if self.cell == "lstm" else 1)
        x, y, wt = float(self.x_elements()), float(self.y_elements()), float(self.weight_elements())
        if self.pass_ != "training_bwd":
            return (x + states + wt) * size_in + (y + states) * size_out
        return (x + states + wt) * size_in + (y + y + states) * size_out + (x + states + wt) * size_out

    def shape_string(self) -> str:
        t = f"{self.cell}_h{self.hidden}i{self.input}n{self.batch}t{self.steps}"
        if self.layers != 1:
            t += f"l{self.layers}"
        return t + ("_bi" if self.bidirectional else "_uni")

    def canonical(self, precision: str | None = None) -> str:
        """RnnProblem::to_string: <cell>_h<H>i<I>n<N>t<T>[l<L>]_<uni|bi>_<pass>[_<precision>]."""
        t = f"{self.shape_string()}_{self.pass_}"
        return t + f"_{precision}" if precision else t

    def unsupported_reason(self, precision: str):
        """RnnProblem::unsupported_reason, word for word."""
        if precision in ("int8", "fp8e4m3", "fp8e5m2"):
            return (f"RNNs in {precision} need per-tensor quantisation scales and an integer or fp8 recipe that "
                    "this suite does not model")
        return None


_FORM = ("(form: <rnn_relu|rnn_tanh|lstm|gru>_h<H>i<I>n<N>t<T>[l<L>]_<uni|bi>"
         "_<inference|training_fwd|training_bwd>_<precision>)")


def parse_problem(text: str, where: str = "--problem", strict: bool = False):
    """RnnProblem::parse. Returns (problem, given): given maps "direction", "pass" and "precision" to the token's
    value, or None when the name left it out (its default, uni or inference, stays in the problem); strict=True
    requires all three."""
    def fail(why):
        raise InputError(f"{where}: '{text}': {why} {_FORM}")

    cell, rest = take_suffix(text, CELLS)
    if cell < 0:
        fail("expected the cell first")
    cut = rest.find("_")
    geometry = rest if cut < 0 else rest[:cut]
    dims: dict[str, int] = {}
    for key, value in split_dims(geometry, where, text):
        if key in dims:
            fail(f"'{key}' given twice")
        dims[key] = value
    rest = "" if cut < 0 else rest[cut + 1:]

    def take(key, required, default=None):
        if key not in dims:
            if required:
                fail(f"missing '{key}'")
            return default
        v = dims.pop(key)
        if v <= 0:
            fail(f"'{key}' must be positive")
        return v

    sizes = [take("h", True), take("i", True), take("n", True), take("t", True), take("l", False, 1)]
    if dims:
        fail(f"unknown token '{sorted(dims)[0]}'")
    given = {"direction": None, "pass": None, "precision": None}
    for name, choices in (("direction", DIRECTIONS), ("pass", PASSES), ("precision", PRECISIONS)):
        i, rest = take_suffix(rest, choices)
        if i >= 0:
            given[name] = choices[i]
    if rest:
        fail(f"unexpected '{rest}'")
    if strict and None in given.values():
        fail("needs its direction (uni|bi), pass and precision")
    problem = RnnProblem(CELLS[cell], *sizes, bidirectional=given["direction"] == "bi",
                         pass_=given["pass"] or "inference")
    return problem, given


@dataclasses.dataclass(frozen=True)
class RnnShape:
    """One table row (or --problem) before the pass is chosen."""

    table: str
    label: str
    problem: RnnProblem
    phase: str | None = "training"  # None: a --problem, which runs in every pass unless it names one
    pass_: str | None = None        # a --problem that named these runs in them only
    precision: str | None = None

    def passes(self) -> tuple[str, ...]:
        if self.pass_ is not None:
            return (self.pass_,)
        return PASSES if self.phase is None else PHASE_PASSES[self.phase]


_REQUIRED = ("cell", "hidden", "input", "batch", "steps", "phase")
_OPTIONAL = ("layers", "direction")


def table_shapes(table: dlbench_tables.Table) -> list[RnnShape]:
    """The RNN columns of a parsed table, checked (rnn_bench's table reader)."""
    table.check_columns(_REQUIRED, _OPTIONAL)
    shapes = []
    for row in table.rows:
        problem = RnnProblem(row.choice("cell", CELLS), row.positive("hidden"), row.positive("input"),
                             row.positive("batch"), row.positive("steps"), row.positive("layers", 1),
                             row.choice("direction", DIRECTIONS, "uni") == "bi")
        shapes.append(RnnShape(table.name, row.label, problem, row.choice("phase", PHASES)))
    return shapes


def parse_table(text: str, source: str, name: str) -> list[RnnShape]:
    return table_shapes(dlbench_tables.parse_table_text(text, source, name))


def load_tables(specs: list[str], shapes_dir: str) -> list[RnnShape]:
    shapes: list[RnnShape] = []
    for table in dlbench_tables.iter_tables(specs, shapes_dir, "rnn"):
        shapes.extend(table_shapes(table))
    return shapes


def cli_shapes(problems: list[str]) -> list[RnnShape]:
    """--problem entries: table 'cli', label shape_string(), as rnn_bench labels them. A name without a pass runs
    in all three passes; the precision, when the name has none, comes from --precisions."""
    out = []
    for text in problems:
        problem, given = parse_problem(text)
        out.append(RnnShape("cli", problem.shape_string(), problem, None, given["pass"], given["precision"]))
    return out
