"""What tools/torch_gemm.py and tools/compare_gemm.py share with dlbench: shape tables, canonical problem names,
FLOP counts and CSV reading. Standard library only, so both tools (and their tests) run where PyTorch is absent.

Everything here mirrors a C++ file and must keep agreeing with it, because the two tools join their rows to
gemm_bench's on the canonical name:
  - kernels/common/shape_table.cpp and kernels/gemm/gemm_table.cpp: the table format (read_table);
  - kernels/gemm/gemm_problem.cpp: GemmProblem::to_string / parse (Problem.canonical / parse_problem);
  - kernels/common/format.cpp: format_number (std::to_chars, shortest round trip);
  - bench/harness/shape_paths.cpp: how a --shapes entry names a file (resolve_table).
"""

from __future__ import annotations

import csv
import dataclasses
import decimal
import math
import os
import re

# dlbench's precisions, in kernels/common/precision.cpp's order (the order --precisions=all runs them in).
PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8e4m3", "fp8e5m2", "int8")


class InputError(Exception):
    """A bad table, problem string or flag: reported to the user, never a crash."""


def format_number(v: float) -> str:
    """dlbench's format_number: C++ std::to_chars(double) without a format, i.e. the shortest string that reads
    back to the same double, written in fixed or scientific notation, whichever is shorter (fixed on a tie).
    Python's repr picks the same digits but switches notation at other thresholds (repr(2.0) is '2.0' where
    to_chars writes '2', repr(1e5) is '100000.0' where to_chars writes '1e+05'), so only the digits are taken."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "-inf" if v < 0 else "inf"
    sign = "-" if math.copysign(1.0, v) < 0 else ""
    if v == 0:
        return sign + "0"
    d = decimal.Decimal(repr(abs(v)))
    _, digits_t, exp = d.as_tuple()
    digits = "".join(str(x) for x in digits_t)
    # repr may leave trailing zeros ('100000.0' -> digits 1000000, exp -1): strip them into the exponent.
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    digits = stripped
    sci_exp = len(digits) - 1 + exp
    sci = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sci += "e" + ("-" if sci_exp < 0 else "+") + f"{abs(sci_exp):02d}"
    if exp >= 0:
        fixed = digits + "0" * exp
    else:
        point = len(digits) + exp
        fixed = digits[:point] + "." + digits[point:] if point > 0 else "0." + "0" * (-point) + digits
    return sign + (fixed if len(fixed) <= len(sci) else sci)


# std::from_chars(double) in its general format: no leading '+', no whitespace, no hex; 'inf'/'nan' are read
# but the callers reject non-finite values anyway.
_FLOAT_RE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_INT_RE = re.compile(r"-?\d+\Z")


def parse_double(text: str):
    """from_chars(double) over the whole text, finite only; None when it would fail."""
    if not _FLOAT_RE.match(text):
        return None
    v = float(text)
    return v if math.isfinite(v) else None


def parse_int(text: str):
    """from_chars(int64) over the whole text; None when it would fail."""
    if not _INT_RE.match(text):
        return None
    v = int(text)
    return v if -(2**63) <= v < 2**63 else None


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


def split_csv_record(line: str, where: str) -> list[str]:
    """shape_table.cpp's split_csv_record: RFC 4180 quotes; unquoted fields are trimmed, quoted ones kept."""
    fields, field = [], []
    quoted = was_quoted = False
    i = 0
    while i < len(line):
        c = line[i]
        if quoted:
            if c == '"':
                if i + 1 < len(line) and line[i + 1] == '"':
                    field.append('"')
                    i += 1
                else:
                    quoted = False
            else:
                field.append(c)
        elif was_quoted and c != ",":
            if c not in " \t\r":
                raise InputError(f"{where}: unexpected '{c}' after a closing quote")
        elif c == '"' and not "".join(field).strip(" \t\r"):
            quoted = was_quoted = True
            field = []
        elif c == ",":
            fields.append("".join(field) if was_quoted else "".join(field).strip(" \t\r"))
            field = []
            was_quoted = False
        else:
            field.append(c)
        i += 1
    if quoted:
        raise InputError(f"{where}: unterminated quoted field")
    fields.append("".join(field) if was_quoted else "".join(field).strip(" \t\r"))
    return fields


_LABEL_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+=")
_REQUIRED = ("m", "n", "k", "trans_a", "trans_b")
_OPTIONAL = ("batch", "alpha", "beta")


def parse_table(text: str, source: str, name: str) -> list[Shape]:
    """ShapeTable::parse + read_gemm_rows: the same rows, defaults and refusals as gemm_bench."""
    columns: list[str] = []
    header_line = 0
    rows = []
    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{line_no}"
        fields = split_csv_record(line, where)
        if not columns:
            for f in fields:
                if not f:
                    raise InputError(f"{where}: header has an empty column name")
                if fields.count(f) > 1:
                    raise InputError(f"{where}: header names column '{f}' twice")
            columns, header_line = fields, line_no
            continue
        if len(fields) != len(columns):
            raise InputError(f"{where}: expected {len(columns)} fields (one per header column), found {len(fields)}")
        rows.append((line_no, dict(zip(columns, fields))))
    if not columns:
        raise InputError(f"{source}: empty shape table (no header row)")
    if not rows:
        raise InputError(f"{source}: shape table has a header but no rows")
    if "label" not in columns:
        raise InputError(f"{source}:{header_line}: missing column 'label'")
    seen: dict[str, int] = {}
    for line_no, row in rows:
        def fail(column: str, message: str, line_no=line_no):
            raise InputError(f"{source}:{line_no}: field '{column}': {message}")

        label = row["label"]
        if not label:
            fail("label", "empty label: every row must say which model and layer it comes from")
        if not label[0].isascii() or not label[0].isalnum():
            fail("label", f"'{label}' must start with a letter or digit")
        for c in label:
            if c not in _LABEL_CHARS:
                fail("label", f"character '{c}' is not allowed in a label (use letters, digits and . _ - / + =)")
        if label in seen:
            fail("label", f"label '{label}' already used on line {seen[label]}")
        seen[label] = line_no
    for col in _REQUIRED:
        if col not in columns:
            raise InputError(f"{source}:{header_line}: missing column '{col}'")
    for col in columns:
        if col != "label" and col not in _REQUIRED and col not in _OPTIONAL:
            valid = ", ".join(("label",) + _REQUIRED + _OPTIONAL)
            raise InputError(f"{source}:{header_line}: unknown column '{col}' (valid columns: {valid})")

    shapes = []
    for line_no, row in rows:
        def fail(column: str, message: str, line_no=line_no):
            raise InputError(f"{source}:{line_no}: field '{column}': {message}")

        def text_of(column, has_fallback):
            t = row.get(column, "")
            if not t and not has_fallback:
                fail(column, "missing value")
            return t

        def positive(column, fallback=None):
            t = text_of(column, fallback is not None)
            if not t:
                return fallback
            v = parse_int(t)
            if v is None:
                fail(column, f"expected a positive integer, got '{t}'")
            if v <= 0:
                fail(column, f"must be positive, got {t}")
            return v

        def number(column, fallback):
            t = text_of(column, True)
            if not t:
                return fallback
            v = parse_double(t)
            if v is None:
                fail(column, f"expected a finite number, got '{t}'")
            return v

        def transpose(column):
            t = text_of(column, False)
            if t not in ("n", "t"):
                fail(column, f"unknown value '{t}' (valid: n, t)")
            return t == "t"

        problem = Problem(positive("m"), positive("n"), positive("k"), transpose("trans_a"), transpose("trans_b"),
                          positive("batch", 1), number("alpha", 1.0), number("beta", 0.0))
        shapes.append(Shape(name, row["label"], problem))
    return shapes


def default_shapes_dir() -> str:
    """The repository's shapes/ (this file lives in tools/)."""
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shapes"))


def resolve_table(spec: str, shapes_dir: str) -> tuple[str, str]:
    """shape_paths.cpp's resolve_table: a spec with '/' or ending in .csv is a path (table name = file stem),
    anything else a name looked up as <shapes_dir>/gemm/<name>.csv. Returns (path, table name)."""
    if "/" in spec or spec.endswith(".csv"):
        if not os.path.isfile(spec):
            raise InputError(f"--shapes: no such file '{spec}'")
        return spec, os.path.splitext(os.path.basename(spec))[0]
    candidate = os.path.join(shapes_dir, "gemm", spec + ".csv")
    if os.path.isfile(candidate):
        return candidate, spec
    gemm_dir = os.path.join(shapes_dir, "gemm")
    names = sorted(f[:-4] for f in os.listdir(gemm_dir) if f.endswith(".csv")) if os.path.isdir(gemm_dir) else []
    raise InputError(f"--shapes: unknown gemm table '{spec}' (valid: {', '.join(names) or 'none found'}; "
                     f"searched {gemm_dir})")


def load_tables(specs: list[str], shapes_dir: str) -> list[Shape]:
    shapes: list[Shape] = []
    seen = set()
    for spec in specs:
        path, name = resolve_table(spec, shapes_dir)
        if name in seen:
            raise InputError(f"--shapes: table '{name}' given twice")
        seen.add(name)
        with open(path, encoding="utf-8", newline="") as f:
            shapes.extend(parse_table(f.read(), path, name))
    return shapes


def cli_shapes(problems: list[str]) -> list[Shape]:
    """--problem entries as gemm_bench names them: table 'cli', label = the canonical name without precision."""
    out = []
    for text in problems:
        problem, precision = parse_problem(text)
        out.append(Shape("cli", problem.canonical(None), problem, precision))
    return out


def split_list(values) -> list[str]:
    """Comma-separated, repeatable flag values, empty items dropped (dlbench's split_list)."""
    out = []
    for v in values or []:
        out.extend(item for item in v.split(",") if item)
    return out


def read_csv_rows(path: str) -> tuple[list[dict], list[str]]:
    """Rows of a CSV with a header, as dicts. A row whose field count differs from the header's (the last line of a
    file whose writer was killed mid-row) is left out and reported, rather than misread."""
    rows, problems = [], []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return [], [f"{path}: empty file"]
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                problems.append(f"{path}:{reader.line_num}: {len(row)} fields, header has {len(header)}: row left out")
                continue
            rows.append(dict(zip(header, row)))
    return rows, problems
