"""dlbench_results.py: read dlbench result CSVs (gemm_bench, conv_bench, rnn_bench, allreduce_bench, peak_bench
--csv=FILE) into one pandas DataFrame, for compare.py, roofline.py and report.py.

  from dlbench_results import load
  df = load(["gemm.csv", "conv.csv"])

Why a shared loader: the files differ by kernel (each binary has its own columns between the common head and
tail) and by age (published CSVs predate the roofline columns, and some lack cache/clock_mhz/throttled), and every
tool needs the same answers to the same questions: which rows are ok, which case a row is, which roof it ran
against. So this module reads every field as text, adds the columns a file lacks (numbers as NaN, text as ""),
turns the numeric ones into floats, fills in what can be derived (intensity, tflops, gbps from flops, bytes and
time; the roof figures from the peaks) and adds:

  file      the path the row was read from, as given
  variant   what the name adds after kernel/backend/precision/table/label (conv's nhwc_fwd, rnn's training_bwd,
            allreduce's sum_inplace; "" for gemm)
  case      label[/variant]: with kernel, precision and table, the problem the row measured, without backend
            or device
  where     the row's target id, or its device when the file names no target (older files)

Input errors (unreadable file, no header, a required column missing, a status outside ok|skipped|failed) raise
InputError with the file name, so the command-line tools can print it and exit 2.
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys

TOOLS = ("compare.py", "roofline.py", "report.py")


def use_the_venv():
    """The tools start with `#!/usr/bin/env python3`, whichever Python that is. Without pandas or matplotlib there,
    a tool re-runs itself under <repo>/.venv's Python (tools/setup.sh makes it), or says how to get one."""
    try:
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
        return
    except ImportError as e:
        missing = e.name
    script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if script not in TOOLS:
        raise ImportError(f"dlbench_results needs {missing}: run tools/setup.sh and use .venv/bin/python")
    venv = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".venv")
    python = os.path.join(venv, "bin", "python")
    if os.path.exists(python) and os.path.realpath(sys.prefix) != os.path.realpath(venv) \
            and not os.environ.get("DLBENCH_VENV_REEXEC"):
        os.environ["DLBENCH_VENV_REEXEC"] = "1"  # once: a broken venv must not loop
        os.execv(python, [python, os.path.abspath(sys.argv[0])] + sys.argv[1:])
    raise SystemExit(f"{script}: needs {missing}, which {sys.executable} lacks: run tools/setup.sh (it makes "
                     f"{venv} from tools/requirements.txt), then {os.path.join(venv, 'bin', 'python')} "
                     f"tools/{script}")


use_the_venv()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# The columns every result CSV must have for these tools to make sense of its rows.
REQUIRED = ["name", "kernel", "backend", "precision", "table", "label", "device", "status"]

# What the columns mean (columns.md, the result CSV contract); report.py shows these as the table headers' titles.
MEANING = {
    "name": "kernel/backend/precision/table/label[/variant]: the case as the benchmark names it",
    "kernel": "gemm, conv, rnn, allreduce or peak",
    "backend": "the library or implementation the row ran on",
    "precision": "data type: fp32, tf32, fp16, bf16, fp8e4m3, fp8e5m2, int8, fp64, int32",
    "table": "the shape table the case came from",
    "label": "the case's label within the table",
    "device": "the device (or CPU and threads) the row ran on",
    "library": "the library and its version",
    "problem": "the canonical problem name (shape, layout, precision)",
    "flops": "floating-point (int8: integer) operations of one call",
    "bytes": "bytes one call must move at least (operands read and written once)",
    "time_ms": "median time of one call, ms",
    "cov_pct": "coefficient of variation of the samples, %",
    "tflops": "flops / time, TFLOP/s (int8: TOPS)",
    "gbps": "bytes / time, GB/s (decimal)",
    "intensity": "arithmetic intensity: flops / bytes, FLOP/byte",
    "target": "the hardware target whose roofs the row is measured against",
    "peak_source": "which roof the headline columns use: measured (peak_bench) or spec (datasheet)",
    "peak_tflops": "the headline roof's compute peak for this precision, TFLOP/s",
    "peak_gbps": "the headline roof's bandwidth, GB/s (allreduce: the link, per direction)",
    "ridge": "peak_tflops / peak_gbps, FLOP/byte: from here up the roof is compute",
    "bound": "compute or memory (intensity against the ridge), link for allreduce",
    "roof_tflops": "min(peak_tflops, intensity x peak_gbps): the roof above this row, TFLOP/s",
    "roofline_pct": "tflops as % of the headline roof (allreduce: busbw_gbps as % of peak_gbps)",
    "spec_peak_tflops": "the spec (datasheet) compute peak, TFLOP/s",
    "spec_peak_gbps": "the spec bandwidth, GB/s",
    "spec_roof_tflops": "the spec roof above this row, TFLOP/s",
    "spec_roofline_pct": "tflops as % of the spec roof",
    "above_roof": "spec, measured or spec+measured: the row exceeds that roof (wrong peak, cached data, Winograd)",
    "error": "the largest error found by the check, relative",
    "tolerance": "the error the check allows",
    "verified": "true when the result was checked against a reference",
    "status": "ok, skipped or failed",
    "reason": "why a row was skipped or failed; remarks on ok rows",
    "busbw_gbps": "allreduce bus bandwidth, GB/s",
    "algbw_gbps": "allreduce algorithm bandwidth, GB/s",
    "cache": "hot (operands left in cache) or cold (cache flushed before each call)",
}

# The roofline columns (issue 6) and the tail columns older files may lack.
ROOFLINE = ["target", "peak_source", "peak_tflops", "peak_gbps", "ridge", "bound", "roof_tflops", "roofline_pct",
            "spec_peak_tflops", "spec_peak_gbps", "spec_roof_tflops", "spec_roofline_pct", "above_roof"]
OPTIONAL = ROOFLINE + ["library", "problem", "flops", "bytes", "time_ms", "time_ms_min", "time_ms_max", "samples",
                       "cov_pct", "tflops", "gbps", "intensity", "error", "tolerance", "verified", "verify_mode",
                       "reason", "implementation", "threads", "cache", "clock_mhz", "throttled", "repetition",
                       "busbw_gbps", "algbw_gbps"]
NUMERIC = ["flops", "bytes", "time_ms", "time_ms_min", "time_ms_max", "samples", "cov_pct", "tflops", "gbps",
           "intensity", "peak_tflops", "peak_gbps", "ridge", "roof_tflops", "roofline_pct", "spec_peak_tflops",
           "spec_peak_gbps", "spec_roof_tflops", "spec_roofline_pct", "error", "tolerance", "threads",
           "clock_mhz", "repetition", "busbw_gbps", "algbw_gbps"]
STATUSES = ("ok", "skipped", "failed")


class InputError(Exception):
    """A result file the tools cannot use; the message names the file and what is wrong."""


def read_one(path: str) -> pd.DataFrame:
    """One result CSV as text columns ("" for empty fields), checked for the required columns and statuses."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text (UTF-8) file") from None
    if not text.strip():
        raise InputError(f"{path}: empty file, expected a dlbench result CSV with a header row")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, csv.Error) as e:
        raise InputError(f"{path}: not a readable CSV: {str(e).strip()}") from None
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"(not a dlbench result CSV? its columns: {', '.join(map(str, df.columns[:8]))}"
                         f"{', ...' if len(df.columns) > 8 else ''})")
    bad = df.index[~df["status"].isin(STATUSES)]
    if len(bad):
        i = bad[0]
        raise InputError(f"{path} line {i + 2}: status {df.at[i, 'status']!r} is not one of {'|'.join(STATUSES)}")
    return df


def variant_of(row) -> str:
    """What the name adds after kernel/backend/precision/table/label; "" when it adds nothing. A name that does
    not start that way (hand-edited) keeps everything after its backend, so it still cannot match another case."""
    prefix = "/".join([row["kernel"], row["backend"], row["precision"], row["table"], row["label"]])
    name = row["name"]
    if name == prefix:
        return ""
    if name.startswith(prefix + "/"):
        return name[len(prefix) + 1:]
    parts = name.split("/", 3)
    return "~" + (parts[3] if len(parts) > 3 else name)


def load(paths) -> pd.DataFrame:
    """Every row of every file in `paths`, in order, with the missing columns added and the derived ones filled."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    frames = []
    for path in paths:
        df = read_one(str(path))
        df.insert(0, "file", str(path))
        frames.append(df)
    if not frames:
        raise InputError("no result file given")
    df = pd.concat(frames, ignore_index=True, sort=False)
    # Columns present in one file but not another come back as NaN from concat; text columns want "".
    for c in OPTIONAL:
        if c not in df.columns:
            df[c] = np.nan if c in NUMERIC else ""
    for c in NUMERIC:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    text_columns = [c for c in df.columns if c not in NUMERIC]
    df[text_columns] = df[text_columns].fillna("").astype(str)
    return derive(df)


def derive(df: pd.DataFrame) -> pd.DataFrame:
    """Fills what the contract defines from other columns where a file left it empty, and adds variant, case and
    where. Figures a file gives are kept as given."""
    df = df.copy()
    df["variant"] = df.apply(variant_of, axis=1) if len(df) else ""
    df["case"] = df["label"] + np.where(df["variant"] != "", "/" + df["variant"], "")
    df["where"] = np.where(df["target"] != "", df["target"], df["device"])
    seconds = df["time_ms"] / 1e3
    positive = lambda s: s.where(s > 0)  # noqa: E731  (no rate from a zero time, no intensity from zero bytes)
    df["intensity"] = df["intensity"].fillna(df["flops"] / positive(df["bytes"]))
    df["tflops"] = df["tflops"].fillna(df["flops"] / positive(seconds) / 1e12)
    df["gbps"] = df["gbps"].fillna(df["bytes"] / positive(seconds) / 1e9)
    link = (df["kernel"] == "allreduce") | (df["bound"] == "link")
    df.loc[link & (df["bound"] == ""), "bound"] = "link"
    flop = ~link
    for prefix in ("", "spec_"):
        peak, bw = df[prefix + "peak_tflops"], df[prefix + "peak_gbps"]
        roof = np.minimum(peak, df["intensity"] * bw / 1e3)  # NaN unless both figures are known
        df[prefix + "roof_tflops"] = df[prefix + "roof_tflops"].fillna(roof.where(flop))
        pct = 100 * df["tflops"] / positive(df[prefix + "roof_tflops"])
        df[prefix + "roofline_pct"] = df[prefix + "roofline_pct"].fillna(pct.where(flop))
    df["ridge"] = df["ridge"].fillna((df["peak_tflops"] * 1e3 / positive(df["peak_gbps"])).where(flop))
    unbound = flop & (df["bound"] == "") & df["ridge"].notna() & df["intensity"].notna()
    df.loc[unbound, "bound"] = np.where(df.loc[unbound, "intensity"] >= df.loc[unbound, "ridge"], "compute",
                                        "memory")
    return df


def ok(df: pd.DataFrame) -> pd.DataFrame:
    """The rows with status ok: the only ones with times and rates."""
    return df[df["status"] == "ok"]


def is_link(df: pd.DataFrame) -> pd.Series:
    """Rows measured against a link (allreduce): no FLOP roof applies."""
    return (df["bound"] == "link") | (df["kernel"] == "allreduce")


def above_roof(df: pd.DataFrame) -> pd.Series:
    """Rows above a roof: as the file says (above_roof), or, where the file predates that column, over 100 % of
    either roof."""
    over = (df["roofline_pct"] > 100) | (df["spec_roofline_pct"] > 100)
    return (df["above_roof"] != "") | over.fillna(False)


def short_device(text: str) -> str:
    """A device column without its details: "NVIDIA H100 80GB HBM3 (10de:2330, ...)" -> "NVIDIA H100 80GB HBM3"."""
    return text.split(" (")[0].strip() or text


def describe_files(df: pd.DataFrame) -> pd.DataFrame:
    """Per file: rows, ok/skipped/failed counts, kernels, backends, targets/devices, libraries."""
    out = []
    for path, g in df.groupby("file", sort=False):
        counts = g["status"].value_counts()
        out.append({"file": path, "rows": len(g), **{s: int(counts.get(s, 0)) for s in STATUSES},
                    "kernels": ", ".join(dict.fromkeys(g["kernel"])),
                    "backends": ", ".join(dict.fromkeys(g["backend"])),
                    "targets": ", ".join(t for t in dict.fromkeys(g["target"]) if t) or "(none: older CSV)",
                    "devices": "; ".join(dict.fromkeys(g["device"])),
                    "libraries": ", ".join(t for t in dict.fromkeys(g["library"]) if t)})
    return pd.DataFrame(out)


# ------------------------------------------------------------------------------------------------ target files

# A dlbench target file (bench/target/specs.csv, the measured target.csv peak_bench writes): '#' comment lines, then
# a header with these columns; one row per hardware target and source (spec: datasheet, measured: peak_bench).
TARGET_COLUMNS = ["id", "name", "match", "kind", "source", "units", "clock_mhz", "fp64", "fp32", "tf32", "fp16",
                  "bf16", "fp8", "int8", "memory_gbps", "l2_mb", "link_gbps", "citation"]
TARGET_FIGURES = ["fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8", "memory_gbps", "link_gbps"]
SOURCES = ("spec", "measured")


def target_column(precision: str) -> str:
    """The target file's column for a result row's precision: fp8e4m3 and fp8e5m2 share fp8."""
    return "fp8" if precision.startswith("fp8") else precision


class Target:
    """One row of a target file: its id, source (spec | measured), compute peaks per target column (TFLOP/s,
    int8: TOPS) and bandwidths (GB/s); NaN where the file leaves a figure empty."""

    def __init__(self, path: str, line: int, fields: dict):
        self.file, self.line = path, line
        self.id, self.name, self.kind = fields["id"], fields.get("name", ""), fields.get("kind", "")
        self.source, self.citation = fields["source"], fields.get("citation", "")
        self.figures = {}
        for c in TARGET_FIGURES:
            text = (fields.get(c) or "").strip()
            try:
                self.figures[c] = float(text) if text else float("nan")
            except ValueError:
                raise InputError(f"{path} line {line}: {c} {text!r} is not a number") from None

    def peak(self, precision: str) -> float:
        return self.figures.get(target_column(precision), float("nan"))

    def __repr__(self):
        return f"Target({self.id!r}, {self.source!r}, {os.path.basename(self.file)})"


def read_targets(paths) -> list:
    """Every row of the target files `paths`, in order (a later row for the same id and source overrides an
    earlier one where they are used: ceilings())."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for path in map(str, paths):
        try:
            with open(path, newline="", encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: not a text (UTF-8) file") from None
        kept = [(i + 1, t) for i, t in enumerate(lines) if t.strip() and not t.lstrip().startswith("#")]
        if not kept:
            raise InputError(f"{path}: no header row (expected a dlbench target file: # comments, then "
                             f"{','.join(TARGET_COLUMNS[:6])},...)")
        try:
            records = list(csv.reader([t for _, t in kept]))
        except csv.Error as e:
            raise InputError(f"{path}: not a readable CSV: {e}") from None
        header = [h.strip() for h in records[0]]
        missing = [c for c in ("id", "source") if c not in header]
        if missing or not any(c in header for c in TARGET_FIGURES):
            raise InputError(f"{path}: not a dlbench target file: the header (line {kept[0][0]}) lacks "
                             f"{', '.join(missing) or 'every peak column'} (expected {','.join(TARGET_COLUMNS)})")
        for (line, _), rec in zip(kept[1:], records[1:]):
            if len(rec) != len(header):
                raise InputError(f"{path} line {line}: {len(rec)} fields, the header has {len(header)}")
            fields = dict(zip(header, rec))
            if fields["source"] not in SOURCES:
                raise InputError(f"{path} line {line}: source {fields['source']!r} is not spec or measured")
            out.append(Target(path, line, fields))
    return out


# ------------------------------------------------------------------------------------------------ ceilings

class Ceiling:
    """One roof figure of one target: a compute peak (what = a precision, TFLOP/s or int8 TOPS) or a bandwidth
    (what = memory or link, GB/s), of one kind (spec | measured). threads is NaN unless the peak differs by the
    rows' thread count (a CPU). source: "rows" or the target file it came from. ignored: other values rows carried
    for the same figure, as text ("695 (52 rows: gemm_run1.csv)")."""

    def __init__(self, kind, what, value, threads=float("nan"), source="rows", ignored=()):
        self.kind, self.what, self.value, self.threads = kind, what, float(value), threads
        self.source, self.ignored = source, list(ignored)

    @property
    def is_peak(self) -> bool:
        return self.what not in ("memory", "link")

    @property
    def unit(self) -> str:
        return "GB/s" if not self.is_peak else "TOPS" if self.what == "int8" else "TFLOP/s"

    @property
    def thread_note(self) -> str:
        t = self.threads
        return "" if t != t else f"{int(t)} thread{'s' * (t != 1)}"

    def __repr__(self):
        extra = f", {self.thread_note}" if self.thread_note else ""
        return f"Ceiling({self.kind} {self.what} {self.value:g} {self.unit}{extra}, from {self.source})"


def _fig(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"


def display_names(paths) -> dict:
    """{path: a short name}: the file name, or as many of the last folders as tell it from the other paths."""
    paths = list(dict.fromkeys(map(str, paths)))
    parts = {p: os.path.normpath(os.path.abspath(p)).split(os.sep) for p in paths}
    names = {}
    for p in paths:
        for n in range(1, len(parts[p]) + 1):
            tail = parts[p][-n:]
            if not any(q != p and parts[q][-n:] == tail for q in paths):
                break
        names[p] = "/".join(tail)
    return names


def _describe(rows: pd.DataFrame, names: dict) -> str:
    files = ", ".join(dict.fromkeys(names.get(f, f) for f in rows["file"]))
    return f"{len(rows)} row{'s' * (len(rows) != 1)}: {files}"


def _choose(kind, what, sel: pd.DataFrame, col: str, names: dict, threads=float("nan")):
    """The Ceiling of the values `sel[col]` carry: rows have no date, so of several values the highest, the
    others listed as ignored; None when no row has a value."""
    sel = sel[sel[col].notna()]
    if sel.empty:
        return None
    key = sel[col].map(lambda v: float(f"{v:.6g}"))
    values = sorted(set(key), reverse=True)
    ignored = [f"{_fig(v)} ({_describe(sel[key == v], names)})" for v in values[1:]]
    return Ceiling(kind, what, values[0], threads, "rows", ignored)


def per_thread(rows: pd.DataFrame) -> bool:
    """Whether compute peaks go per thread count: a CPU target (its peak scales with the threads used)."""
    where = " ".join(dict.fromkeys(rows["where"])) if len(rows) else ""
    return where.startswith("cpu") or rows["device"].str.contains(r"\bthreads?\b", regex=True).any()


def ceilings(rows: pd.DataFrame, precisions=None, targets=()):
    """(ceilings, notes): the roof figures of one target's rows (all of them, ok or not: a failed row still names
    its roof), for `precisions` (default: every precision of the rows that are not measured against a link).

    Per kind (spec, measured), when a Target in `targets` has the rows' target id and that source, its figures
    are used (the last such row of the files), the rows' own ignored; else the rows': spec_peak_tflops and
    spec_peak_gbps for spec, peak_tflops and peak_gbps of the rows whose peak_source is measured for measured
    (link: the same columns of the allreduce rows). One figure per precision (and per thread count on a CPU when
    the peaks differ by it) and one per bandwidth: rows measured against different target files carry different
    figures, and rows carry no date, so the highest is kept and the others are named in the notes."""
    notes = []
    link = is_link(rows)
    flop = rows[~link]
    if precisions is None:
        precisions = list(dict.fromkeys(flop["precision"]))
    ids = [t for t in dict.fromkeys(rows["target"]) if t]
    where = ids[0] if ids else (rows["where"].iloc[0] if len(rows) else "")
    split = per_thread(rows)
    names = display_names(list(rows["file"]) + [t.file for t in targets])
    out = []
    for kind in SOURCES:
        from_file = [t for t in targets if t.id in ids and t.source == kind]
        if kind == "spec":
            peak_col, bw_col, fsel, lsel = "spec_peak_tflops", "spec_peak_gbps", flop, rows[link]
        else:
            peak_col, bw_col = "peak_tflops", "peak_gbps"
            fsel, lsel = flop[flop["peak_source"] == "measured"], rows[link & (rows["peak_source"] == "measured")]
        if from_file:
            t = from_file[-1]
            name = names[t.file]
            for other in from_file[:-1]:
                notes.append(f"{where}: {kind} figures from {name} line {t.line}, not {names[other.file]} line "
                             f"{other.line} (of several target rows for one id and source, the last is used)")
            wanted = [(p, t.peak(p), fsel[fsel["precision"] == p], peak_col) for p in precisions] + \
                [("memory", t.figures["memory_gbps"], fsel, bw_col)]
            if len(lsel):
                wanted.append(("link", t.figures["link_gbps"], lsel, bw_col))
            for what, value, sel, col in wanted:
                carried = sel[sel[col].notna()]
                key = carried[col].map(lambda v: float(f"{v:.6g}"))
                differ = [f"{_fig(v)} ({_describe(carried[key == v], names)})" for v in sorted(set(key), reverse=True)
                          if not math.isclose(v, value, rel_tol=1e-6)]
                if value == value:
                    out.append(Ceiling(kind, what, value, source=t.file, ignored=differ))
                elif differ:
                    notes.append(f"{where}: {name} has no {kind} {what} figure: none drawn (the rows carry "
                                 f"{'; '.join(differ)})")
            continue
        for p in precisions:
            sel = fsel[fsel["precision"] == p]
            groups = [(th, g) for th, g in sel.groupby("threads", sort=True)] if split else []
            if len(groups) > 1:
                chosen = [c for c in (_choose(kind, p, g, peak_col, names, th) for th, g in groups) if c]
                if len({c.value for c in chosen}) > 1:
                    out += chosen
                    continue
            c = _choose(kind, p, sel, peak_col, names)
            if c:
                out.append(c)
        for what, sel in (("memory", fsel), ("link", lsel)):
            c = _choose(kind, what, sel, bw_col, names)
            if c:
                out.append(c)
    for c in out:
        if c.ignored:
            why = f"from {names[c.source]}" if c.source != "rows" else "the highest: rows carry no date"
            extra = f" ({c.thread_note})" if c.thread_note else ""
            notes.append(f"{where}: {c.kind} {c.what}{extra}: drew {_fig(c.value)} {c.unit} ({why}); ignored "
                         + "; ".join(c.ignored))
    return out, notes


def figures_for(points: pd.DataFrame, cs) -> pd.DataFrame:
    """Per row of `points`: the figures the ceilings `cs` give it, columns spec_peak, spec_gbps, measured_peak,
    measured_gbps (NaN where none applies: a precision without a ceiling of that kind)."""
    out = pd.DataFrame(index=points.index)
    for kind in SOURCES:
        bw = next((c.value for c in cs if c.kind == kind and c.what == "memory"), np.nan)
        peak = pd.Series(np.nan, index=points.index)
        for c in cs:
            if c.kind != kind or not c.is_peak:
                continue
            hit = points["precision"] == c.what
            if c.threads == c.threads:
                hit &= points["threads"] == c.threads
            peak[hit] = c.value
        out[kind + "_peak"] = peak
        out[kind + "_gbps"] = bw
    return out


def over_ceilings(points: pd.DataFrame, cs) -> pd.Series:
    """Per row of `points` (ok rows with intensity and tflops): its rate as a fraction of the lowest roof the
    ceilings `cs` put above it (per kind: min(peak, intensity x bandwidth), either alone when the other is
    unknown); NaN where no ceiling applies to the row."""
    f = figures_for(points, cs)
    best = pd.Series(np.nan, index=points.index)
    for kind in SOURCES:
        roof = np.fmin(f[kind + "_peak"], points["intensity"] * f[kind + "_gbps"] / 1e3)
        best = np.fmax(best, points["tflops"] / roof.where(roof > 0))
    return best


def own_figures(points: pd.DataFrame, cs) -> pd.Series:
    """Per row: whether the ceilings `cs` are the figures the row itself was placed against (its spec peak and
    bandwidth, and its measured ones or none), so that its above_roof verdict holds for them."""
    f = figures_for(points, cs)

    def same(a, b):
        both = a.notna() & b.notna()
        return (a.isna() & b.isna()) | (both & np.isclose(a.fillna(0), b.fillna(0), rtol=1e-6))

    measured = points["peak_source"] == "measured"
    nan = pd.Series(np.nan, index=points.index)
    return (same(points["spec_peak_tflops"], f["spec_peak"]) & same(points["spec_peak_gbps"], f["spec_gbps"])
            & same(points["peak_tflops"].where(measured, nan), f["measured_peak"])
            & same(points["peak_gbps"].where(measured, nan), f["measured_gbps"]))
