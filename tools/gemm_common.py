"""What tools/torch_gemm.py and tools/compare_gemm.py know about GEMM problems: canonical problem names, FLOP
counts and the GEMM shape-table columns. Standard library only, so both tools (and their tests) run where PyTorch
is absent. The conventions shared by every kernel (table format, number formatting, CSV reading) live in
dlbench_tables.py and are re-exported here, so the GEMM tools keep importing them from one place.

Everything here mirrors a C++ file and must keep agreeing with it, because the two tools join their rows to
gemm_bench's on the canonical name:
  - kernels/gemm/gemm_table.cpp: the GEMM columns of a shape table (parse_table);
  - kernels/gemm/gemm_problem.cpp: GemmProblem::to_string / parse (Problem.canonical / parse_problem).
"""

from __future__ import annotations

import dataclasses
import re

import dlbench_tables
from dlbench_tables import (InputError, default_shapes_dir, format_number, parse_double, parse_int, read_csv_rows,
                            split_csv_record, split_list)

# What the GEMM tools import from here, the shared conventions included.
__all__ = ["PRECISIONS", "InputError", "Problem", "Shape", "cli_shapes", "default_shapes_dir", "format_number",
           "load_tables", "parse_double", "parse_int", "parse_problem", "parse_table", "read_csv_rows",
           "resolve_table", "split_csv_record", "split_list", "table_shapes"]

# dlbench's precisions, in kernels/common/precision.cpp's order (the order --precisions=all runs them in).
PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8e4m3", "fp8e5m2", "int8")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One GEMM shape in dlbench's convention (kernels/gemm/gemm_problem.hpp): row-major, A stored m×k (k×m when
    trans_a), B stored k×n (n×k when trans_b), D m×n, batch > 1 = strided batch of such matrices."""

    m: int
    n: int
    k: int
    trans_a: bool = False
    trans_b: bool = False
    batch: int = 1
    alpha: float = 1.0
    beta: float = 0.0

    def transposes(self) -> str:
        return ("t" if self.trans_a else "n") + ("t" if self.trans_b else "n")

    def canonical(self, precision: str | None = None) -> str:
        """GemmProblem::to_string: m<M>n<N>k<K>[b<batch>]_<ta><tb>[_<precision>][_alpha<a>][_beta<b>]."""
        s = f"m{self.m}n{self.n}k{self.k}"
        if self.batch != 1:
            s += f"b{self.batch}"
        s += "_" + self.transposes()
        if precision is not None:
            s += "_" + precision
        if self.alpha != 1.0:
            s += "_alpha" + format_number(self.alpha)
        if self.beta != 0.0:
            s += "_beta" + format_number(self.beta)
        return s

    def flops(self) -> float:
        """2·m·n·k·batch (MEASURE.md §3), the count dlbench's tflops column uses."""
        return 2.0 * self.m * self.n * self.k * self.batch


def parse_problem(text: str, where: str = "--problem"):
    """GemmProblem::parse with the precision optional: returns (Problem, precision or None)."""
    form = "(form: m<M>n<N>k<K>[b<batch>]_<nn|nt|tn|tt>_<precision>)"
    tokens = text.split("_")
    dims = tokens[0]
    values = {}
    for letter in ("m", "n", "k", "b"):
        if letter == "b" and not dims:
            break
        match = re.match(r"(-?\d+)", dims[1:]) if dims[:1] == letter else None
        if dims[:1] != letter:
            raise InputError(f"{where}: '{text}': expected '{letter}<positive integer>' {form}")
        value = parse_int(match.group(1)) if match else None
        if value is None or value <= 0:
            raise InputError(f"{where}: '{text}': '{letter}' needs a positive integer")
        values[letter] = value
        dims = dims[1 + len(match.group(1)):]
    if dims:
        raise InputError(f"{where}: '{text}': unexpected '{dims}' after the sizes")
    if len(tokens) < 2 or len(tokens[1]) != 2 or any(c not in "nt" for c in tokens[1]):
        raise InputError(f"{where}: '{text}': expected transposes nn, nt, tn or tt after the sizes")
    i = 2
    precision = None
    if i < len(tokens) and not tokens[i].startswith("alpha") and not tokens[i].startswith("beta"):
        if tokens[i] not in PRECISIONS:
            raise InputError(f"{where}: '{text}': unknown precision '{tokens[i]}' (valid: {', '.join(PRECISIONS)})")
        precision = tokens[i]
        i += 1
    scalars = {"alpha": 1.0, "beta": 0.0}
    for name in ("alpha", "beta"):
        if i < len(tokens) and tokens[i].startswith(name):
            value = parse_double(tokens[i][len(name):])
            if value is None:
                raise InputError(f"{where}: '{tokens[i]}': expected {name}<number>")
            scalars[name] = value
            i += 1
    if i < len(tokens):
        raise InputError(f"{where}: '{text}': unexpected '{tokens[i]}'")
    problem = Problem(values["m"], values["n"], values["k"], tokens[1][0] == "t", tokens[1][1] == "t",
                      values.get("b", 1), scalars["alpha"], scalars["beta"])
    return problem, precision


@dataclasses.dataclass(frozen=True)
class Shape:
    """A problem with where it came from: table name (file stem, or 'cli') and row label."""

    table: str
    label: str
    problem: Problem
    precision: str | None = None  # a --problem that named its precision runs in that precision only


_REQUIRED = ("m", "n", "k", "trans_a", "trans_b")
_OPTIONAL = ("batch", "alpha", "beta")


def parse_table(text: str, source: str, name: str) -> list[Shape]:
    """ShapeTable::parse + read_gemm_rows: the same rows, defaults and refusals as gemm_bench."""
    return table_shapes(dlbench_tables.parse_table_text(text, source, name))


def table_shapes(table: dlbench_tables.Table) -> list[Shape]:
    """read_gemm_rows: the GEMM columns of a parsed table, checked."""
    table.check_columns(_REQUIRED, _OPTIONAL)
    shapes = []
    for row in table.rows:
        problem = Problem(row.positive("m"), row.positive("n"), row.positive("k"),
                          row.choice("trans_a", ("n", "t")) == "t", row.choice("trans_b", ("n", "t")) == "t",
                          row.positive("batch", 1), row.number("alpha", 1.0), row.number("beta", 0.0))
        shapes.append(Shape(table.name, row.label, problem))
    return shapes


def resolve_table(spec: str, shapes_dir: str) -> tuple[str, str]:
    """A --shapes entry as gemm_bench resolves it: a path, or <shapes_dir>/gemm/<name>.csv. Returns (path, name)."""
    return dlbench_tables.resolve_table(spec, shapes_dir, "gemm")


def load_tables(specs: list[str], shapes_dir: str) -> list[Shape]:
    shapes: list[Shape] = []
    for table in dlbench_tables.iter_tables(specs, shapes_dir, "gemm"):
        shapes.extend(table_shapes(table))
    return shapes


def cli_shapes(problems: list[str]) -> list[Shape]:
    """--problem entries as gemm_bench names them: table 'cli', label = the canonical name without precision."""
    out = []
    for text in problems:
        problem, precision = parse_problem(text)
        out.append(Shape("cli", problem.canonical(None), problem, precision))
    return out
