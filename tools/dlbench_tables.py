"""The conventions every dlbench tool shares with the C++, whatever the kernel: the shape-table format (header,
labelled rows, typed fields, errors naming file, line and field), where a --shapes entry finds its file, numbers as
dlbench prints them, and reading result CSVs. Standard library only, so the tools and their tests run where PyTorch
is absent. Each kernel's module (gemm_common.py, conv_common.py, rnn_common.py) builds its rows from these.

It mirrors, and must keep agreeing with:
  - kernels/common/shape_table.cpp: ShapeTable::parse, check_columns and the ShapeRow accessors (Table, Row);
  - kernels/common/format.cpp: format_number (std::to_chars, shortest round trip);
  - bench/harness/shape_paths.cpp: how a --shapes entry names a file (resolve_table);
  - bench/harness/suite_support.cpp: a table named twice is refused (load_tables).
"""

from __future__ import annotations

import csv
import decimal
import math
import os
import re


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


class Row:
    """One data row (ShapeRow): typed accessors that fail with `file:line: field 'x': what is wrong`."""

    def __init__(self, source: str, line: int, fields: dict[str, str]):
        self.source, self.line, self.fields = source, line, fields

    @property
    def label(self) -> str:
        return self.fields["label"]

    def fail(self, column: str, message: str):
        raise InputError(f"{self.source}:{self.line}: field '{column}': {message}")

    def text(self, column: str):
        """The field's text, or None when the column is absent or the field empty."""
        return self.fields.get(column) or None

    def _required(self, column: str, has_fallback: bool) -> str:
        t = self.text(column)
        if t is None and not has_fallback:
            self.fail(column, "missing value")
        return t or ""

    def positive(self, column: str, fallback=None) -> int:
        t = self._required(column, fallback is not None)
        if not t:
            return fallback
        v = parse_int(t)
        if v is None:
            self.fail(column, f"expected a positive integer, got '{t}'")
        if v <= 0:
            self.fail(column, f"must be positive, got {t}")
        return v

    def non_negative(self, column: str, fallback=None) -> int:
        """Paddings: zero is a valid value, so positive() cannot read them."""
        t = self._required(column, fallback is not None)
        if not t:
            return fallback
        v = parse_int(t)
        if v is None or v < 0:
            self.fail(column, f"expected a non-negative integer, got '{t}'")
        return v

    def number(self, column: str, fallback=None) -> float:
        t = self._required(column, fallback is not None)
        if not t:
            return fallback
        v = parse_double(t)
        if v is None:
            self.fail(column, f"expected a finite number, got '{t}'")
        return v

    def choice(self, column: str, choices, fallback=None) -> str:
        t = self._required(column, fallback is not None)
        if not t:
            return fallback
        if t not in choices:
            self.fail(column, f"unknown value '{t}' (valid: {', '.join(choices)})")
        return t


class Table:
    """A parsed shape table (ShapeTable): its name, where it came from, its header and its rows."""

    def __init__(self, name: str, source: str, columns: list[str], header_line: int, rows: list[Row]):
        self.name, self.source, self.columns, self.header_line, self.rows = name, source, columns, header_line, rows

    def check_columns(self, required, optional):
        """Every required column present, nothing outside required + optional: a misspelt optional column would
        otherwise be ignored silently and its default used."""
        where = f"{self.source}:{self.header_line}"
        for col in required:
            if col not in self.columns:
                raise InputError(f"{where}: missing column '{col}'")
        for col in self.columns:
            if col != "label" and col not in required and col not in optional:
                valid = ", ".join(("label",) + tuple(required) + tuple(optional))
                raise InputError(f"{where}: unknown column '{col}' (valid columns: {valid})")


def parse_table_text(text: str, source: str, name: str) -> Table:
    """ShapeTable::parse: `#` comments and blank lines skipped, the first other line is the header, every row has one
    field per column, and every label is present, unique and made of the characters a case name may hold."""
    columns: list[str] = []
    header_line = 0
    rows: list[Row] = []
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
        rows.append(Row(source, line_no, dict(zip(columns, fields))))
    if not columns:
        raise InputError(f"{source}: empty shape table (no header row)")
    if not rows:
        raise InputError(f"{source}: shape table has a header but no rows")
    if "label" not in columns:
        raise InputError(f"{source}:{header_line}: missing column 'label'")
    seen: dict[str, int] = {}
    for row in rows:
        label = row.label
        if not label:
            row.fail("label", "empty label: every row must say which model and layer it comes from")
        # A leading = + - or @ would make a spreadsheet read the label as a formula.
        if not label[0].isascii() or not label[0].isalnum():
            row.fail("label", f"'{label}' must start with a letter or digit")
        for c in label:
            if c not in _LABEL_CHARS:
                row.fail("label", f"character '{c}' is not allowed in a label (use letters, digits and . _ - / + =)")
        if label in seen:
            row.fail("label", f"label '{label}' already used on line {seen[label]}")
        seen[label] = row.line
    return Table(name, source, columns, header_line, rows)


def default_shapes_dir() -> str:
    """The repository's shapes/ (this file lives in tools/)."""
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shapes"))


def resolve_table(spec: str, shapes_dir: str, kernel: str) -> tuple[str, str]:
    """shape_paths.cpp's resolve_table: a spec with '/' or ending in .csv is a path (table name = file stem),
    anything else a name looked up as <shapes_dir>/<kernel>/<name>.csv. Returns (path, table name)."""
    if "/" in spec or spec.endswith(".csv"):
        if not os.path.isfile(spec):
            raise InputError(f"--shapes: no such file '{spec}'")
        return spec, os.path.splitext(os.path.basename(spec))[0]
    candidate = os.path.join(shapes_dir, kernel, spec + ".csv")
    if os.path.isfile(candidate):
        return candidate, spec
    kernel_dir = os.path.join(shapes_dir, kernel)
    names = sorted(f[:-4] for f in os.listdir(kernel_dir) if f.endswith(".csv")) if os.path.isdir(kernel_dir) else []
    raise InputError(f"--shapes: unknown {kernel} table '{spec}' (valid: {', '.join(names) or 'none found'}; "
                     f"searched {kernel_dir})")


def iter_tables(specs: list[str], shapes_dir: str, kernel: str):
    """Each --shapes entry read and parsed, in order, one at a time (so a kernel's own checks of one table come
    before the next table is looked up, as in the C++); a table name given twice is refused, as the C++ does,
    because its rows would run twice under the same names."""
    seen = set()
    for spec in specs:
        path, name = resolve_table(spec, shapes_dir, kernel)
        if name in seen:
            raise InputError(f"--shapes: table '{name}' given twice")
        seen.add(name)
        with open(path, encoding="utf-8", newline="") as f:
            yield parse_table_text(f.read(), path, name)


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
