#!/usr/bin/env python3
"""compare.py: put two or more dlbench runs side by side (devices, backends, library versions) as per-case
ratios against the first (the baseline), with a geometric mean per kernel, table and precision.

  tools/compare.py old.csv new.csv                                   two library versions, by file
  tools/compare.py xeon_gemm.csv xeon_conv.csv h100_*.csv --by device --labels xeon,h100 --out ratios.csv
  tools/compare.py cpu.csv gpu.csv --by backend --metric time_ms

Runs (--by): `file` (default): each file is a run; `device` or `backend`: the rows of all the files are grouped by
that column, in the order they first appear. The first run is the baseline.

Ratio convention: above 1 = the run is faster (or closer to the roof) than the baseline: run / baseline for
tflops, gbps and roofline_pct, baseline / run for time_ms.

Matching: a case is the same problem on either side: kernel, precision, table, label, the name's variant (conv's
nhwc_fwd, rnn's training_bwd, ...) and the canonical problem name. Not backend or device: those are what is being
compared (`name` includes the backend, so it is not used). Where one run holds several rows of a case measured on
different backends, devices or cache modes, those columns join the key, and the output says so. Several rows of
one case in a run (--benchmark_repetitions) count once: the median. Only ok rows with a positive value of the
metric are compared; every other case is counted and listed by why it has no ratio (only in one run, failed or
skipped on one side, no value of the metric: older CSVs lack roofline_pct), never dropped silently. With --out
every (case, run) pair is a row of the CSV, with its match status.

Exit status: 0 when at least one case matched, 1 when none did, 2 for bad input (a file that cannot be read or
lacks a required column, fewer than two runs, a wrong --labels count).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dlbench_results  # noqa: E402  (first: it finds the venv when this Python lacks pandas)
from dlbench_results import InputError, short_device  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

METRICS = {  # metric: (unit, higher is better)
    "tflops": ("TFLOP/s", True),
    "gbps": ("GB/s", True),
    "roofline_pct": ("% of roof", True),
    "time_ms": ("ms", False),
}
BY = ("file", "device", "backend")
KEY = ["kernel", "precision", "table", "label", "variant", "problem"]
SPLIT = ["backend", "device", "cache"]  # join the key only where one run has a case on several of them
GROUP = ["kernel", "table", "precision"]

MATCHED = "matched"
REASONS = {  # match status: how the listing words it ({b} baseline label, {r} run label)
    "only_baseline": "only in {b}",
    "only_run": "only in {r}",
    "not_ok_both": "not ok in either",
    "not_ok_baseline": "not ok in {b}",
    "not_ok_run": "not ok in {r}",
    "no_value": "no {m} value",
}

CONVENTION = {
    "tflops": "ratio = run / baseline (tflops): above 1 = faster than the baseline",
    "gbps": "ratio = run / baseline (gbps): above 1 = faster than the baseline",
    "roofline_pct": "ratio = run / baseline (roofline_pct): above 1 = closer to its roof than the baseline",
    "time_ms": "ratio = baseline / run (time_ms): above 1 = faster than the baseline",
}


@dataclass
class Run:
    label: str
    description: str
    rows: pd.DataFrame


@dataclass
class Comparison:
    metric: str
    by: str
    runs: list
    key: list
    cases: pd.DataFrame      # one row per (case, non-baseline run): values, ratio, match status
    geomeans: pd.DataFrame   # per kernel, table, precision and run (and "all")
    notes: list = field(default_factory=list)

    @property
    def convention(self) -> str:
        return CONVENTION[self.metric]

    def unmatched_counts(self) -> pd.DataFrame:
        """Per run: how many cases matched and how many did not, by reason."""
        counts = self.cases.groupby(["run", "match"], sort=False).size().unstack(fill_value=0)
        for m in [MATCHED, *REASONS]:
            if m not in counts.columns:
                counts[m] = 0
        return counts[[MATCHED, *REASONS]].reindex([r.label for r in self.runs[1:]])


def unique(labels, fallbacks):
    """labels if they are distinct, else the fallbacks (and numbered as a last resort)."""
    if len(set(labels)) == len(labels):
        return labels
    if len(set(fallbacks)) == len(fallbacks):
        return fallbacks
    return [f"{f} #{i + 1}" for i, f in enumerate(fallbacks)]


def distinguishing(devices):
    """Device names without the ", "-separated parts they all share, but the first (the model): "Xeon, avx512,
    1 threads" and "Xeon, avx512, 2 threads" -> "Xeon, 1 threads" and "Xeon, 2 threads"."""
    parts = [d.split(", ") for d in devices]
    common = set.intersection(*(set(p[1:]) for p in parts)) if parts else set()
    return [", ".join([p[0]] + [x for x in p[1:] if x not in common]) for p in parts]


def make_runs(df: pd.DataFrame, by: str, labels=None) -> list:
    """The runs to compare, in order: one per file, or per device or backend across all the files."""
    if by not in BY:
        raise InputError(f"--by {by}: not one of {', '.join(BY)}")
    groups = [(value, g) for value, g in df.groupby(by, sort=False)]
    if by == "file":
        defaults = unique([os.path.splitext(os.path.basename(v))[0] for v, _ in groups], [v for v, _ in groups])
    elif by == "device":
        targets = [", ".join(t for t in dict.fromkeys(g["target"]) if t) for _, g in groups]
        shorts = distinguishing([short_device(v) for v, _ in groups])
        defaults = unique([t or s for t, s in zip(targets, shorts)], [v for v, _ in groups])
    else:
        defaults = unique([v for v, _ in groups], [v for v, _ in groups])
    if labels is not None:
        if len(labels) != len(groups):
            raise InputError(f"--labels gives {len(labels)} label{'s' * (len(labels) != 1)} for {len(groups)} "
                             f"run{'s' * (len(groups) != 1)} (--by {by}: {', '.join(defaults)})")
        if len(set(labels)) != len(labels):
            raise InputError(f"--labels: the labels must differ ({', '.join(labels)})")
    runs = []
    for i, (value, g) in enumerate(groups):
        parts = [f"{', '.join(dict.fromkeys(os.path.basename(f) for f in g['file']))}"] if by != "file" else \
            [os.path.basename(value)]
        parts.append("; ".join(dict.fromkeys(g["device"])))
        parts.append(", ".join(dict.fromkeys(g["backend"] + np.where(g["library"] != "", " (" + g["library"] + ")",
                                                                     ""))))
        runs.append(Run(labels[i] if labels else defaults[i], " | ".join(p for p in parts if p), g))
    return runs


def split_columns(runs, by: str) -> list:
    """The columns of SPLIT that must join the key: those on which some run has one case several times."""
    out = []
    for c in SPLIT:
        if c == by:
            continue
        if any((r.rows.groupby(KEY, sort=False)[c].nunique() > 1).any() for r in runs):
            out.append(c)
    return out


def summarize(run: Run, key: list, metric: str) -> pd.DataFrame:
    """Per case of one run: the median of the metric over its ok rows with a positive value, the rows counted,
    the caches and the status of a case without ok rows (with its first reason)."""
    rows = run.rows
    value = rows[metric].where(rows[metric] > 0)
    good = (rows["status"] == "ok") & value.notna()
    frame = rows[key].copy()
    frame["value"] = value.where(good)
    frame["ok"] = rows["status"] == "ok"
    frame["state_text"] = np.where(rows["status"] == "ok", "", rows["status"] + np.where(
        rows["reason"] != "", ": " + rows["reason"], ""))
    frame["cache"] = rows["cache"]
    g = frame.groupby(key, sort=False, dropna=False)
    out = pd.DataFrame({
        "value": g["value"].median(),
        "rows": g.size(),
        "any_ok": g["ok"].any(),
        "not_ok": g["state_text"].agg(lambda s: next((t for t in s if t), "")),
        "caches": g["cache"].agg(lambda s: ",".join(sorted(set(t for t in s if t)))),
    })
    out["state"] = np.where(out["value"].notna(), "ok", np.where(out["any_ok"], "no_value", "not_ok"))
    # What a table shows instead of a value: the status of a case without ok rows, or that it has no value.
    out["shown"] = np.where(out["state"] == "not_ok", out["not_ok"].str.split(":").str[0],
                            np.where(out["state"] == "no_value", "no value", ""))
    return out


def geomean(values) -> float:
    v = [x for x in values if x > 0 and math.isfinite(x)]
    return math.exp(sum(map(math.log, v)) / len(v)) if v else float("nan")


def compare(df: pd.DataFrame, by: str = "file", metric: str = "tflops", labels=None) -> Comparison:
    """Compares the runs of `df` (dlbench_results.load) against the first; see the module docstring."""
    if metric not in METRICS:
        raise InputError(f"--metric {metric}: not one of {', '.join(METRICS)}")
    runs = make_runs(df, by, labels)
    if len(runs) < 2:
        raise InputError(f"need two or more runs to compare, found {len(runs)} (--by {by}: "
                         f"{', '.join(r.label for r in runs)})")
    notes = []
    split = split_columns(runs, by)
    key = KEY + split
    if split:
        notes.append(f"a run has rows of one case on several {' and '.join(c + 's' for c in split)}: "
                     f"{', '.join(split)} joined the key" + (" (--by backend puts backends side by side)"
                                                             if "backend" in split else ""))
    higher = METRICS[metric][1]
    for r in runs:
        ok = r.rows[r.rows["status"] == "ok"]
        if len(ok) and ok[metric].isna().all():
            notes.append(f"{r.label}: no {metric} values (an older CSV without the roofline columns?)")
    summaries = [summarize(r, key, metric) for r in runs]
    base = summaries[0]
    records = []
    for run, s in zip(runs[1:], summaries[1:]):
        keys = list(dict.fromkeys(list(base.index) + list(s.index)))
        for k in keys:
            b = base.loc[k] if k in base.index else None
            o = s.loc[k] if k in s.index else None
            rec = dict(zip(key, k))
            rec.update(baseline=runs[0].label, run=run.label, metric=metric,
                       baseline_value=b["value"] if b is not None else np.nan,
                       run_value=o["value"] if o is not None else np.nan, ratio=np.nan,
                       baseline_rows=int(b["rows"]) if b is not None else 0,
                       run_rows=int(o["rows"]) if o is not None else 0, note="",
                       baseline_shown=b["shown"] if b is not None else "absent",
                       run_shown=o["shown"] if o is not None else "absent")
            if o is None:
                rec["match"] = "only_baseline"
            elif b is None:
                rec["match"] = "only_run"
            elif b["state"] == "not_ok" and o["state"] == "not_ok":
                rec["match"], rec["note"] = "not_ok_both", b["not_ok"]
            elif b["state"] == "not_ok":
                rec["match"], rec["note"] = "not_ok_baseline", b["not_ok"]
            elif o["state"] == "not_ok":
                rec["match"], rec["note"] = "not_ok_run", o["not_ok"]
            elif b["state"] == "no_value" or o["state"] == "no_value":
                rec["match"] = "no_value"
            else:
                rec["match"] = MATCHED
                rec["ratio"] = (o["value"] / b["value"]) if higher else (b["value"] / o["value"])
                if b["caches"] and o["caches"] and b["caches"] != o["caches"]:
                    rec["note"] = f"cache {b['caches']} vs {o['caches']}"
            records.append(rec)
    cases = pd.DataFrame(records, columns=key + ["baseline", "run", "metric", "baseline_value", "run_value",
                                                 "ratio", "match", "baseline_rows", "run_rows", "note",
                                                 "baseline_shown", "run_shown"])
    cases.insert(4, "case", cases["label"] + np.where(cases["variant"] != "", "/" + cases["variant"], ""))
    mixed = int(cases["note"].str.startswith("cache ").sum())
    if mixed:
        notes.append(f"{mixed} matched case{'s' * (mixed != 1)} timed with the cache hot on one side and cold on "
                     f"the other (the note column of --out)")
    return Comparison(metric, by, runs, key, cases, geomeans_of(cases, runs), notes)


def geomeans_of(cases: pd.DataFrame, runs) -> pd.DataFrame:
    """Geometric mean, minimum and maximum of the ratios per kernel, table, precision and run, then per run."""
    matched = cases[cases["match"] == MATCHED]
    rows = []
    for run in runs[1:]:
        m = matched[matched["run"] == run.label]
        for k, g in m.groupby(GROUP, sort=False):
            rows.append(dict(zip(GROUP, k), run=run.label, cases=len(g), geomean=geomean(g["ratio"]),
                             min=g["ratio"].min(), max=g["ratio"].max()))
        if len(m):
            rows.append(dict(kernel="all", table="", precision="", run=run.label, cases=len(m),
                             geomean=geomean(m["ratio"]), min=m["ratio"].min(), max=m["ratio"].max()))
    return pd.DataFrame(rows, columns=GROUP + ["run", "cases", "geomean", "min", "max"])


# ---------------------------------------------------------------------------------------------------- output

def fmt(v, digits=4) -> str:
    """Numbers for people: 4 significant figures, no exponent for everyday magnitudes, "—" for none."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, (int, np.integer)):
        return str(v)
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e6 or a < 1e-3:
        return f"{v:.{digits - 1}e}"
    if a >= 10 ** digits:
        return f"{v:.0f}"
    return f"{v:.{digits}g}"


def aligned(headers, rows, numeric=()) -> str:
    """A plain-text table: columns padded to their widest cell, numbers right-aligned."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def wide(comp: Comparison):
    """The per-case table, one line per case and a value column per run and a ratio column per non-baseline
    run: (headers, rows, numeric column indexes). A cell without a value says why (failed, skipped, absent, no
    value)."""
    base = comp.runs[0].label
    key_cols = ["kernel", "precision", "table", "case"] + [c for c in comp.key if c in SPLIT]
    ratio_names = ["ratio"] if len(comp.runs) == 2 else [f"ratio {r.label}" for r in comp.runs[1:]]
    headers = key_cols + [r.label for r in comp.runs] + ratio_names
    seen = {}
    for _, c in comp.cases.iterrows():
        entry = seen.setdefault(tuple(c[comp.key]), {"head": [c[x] for x in key_cols], "values": {}, "ratios": {}})
        entry["values"][base] = c["baseline_shown"] or fmt(c["baseline_value"])
        entry["values"][c["run"]] = c["run_shown"] or fmt(c["run_value"])
        entry["ratios"][c["run"]] = fmt(c["ratio"], 3)
    groups = {}
    for k, e in seen.items():  # the cases of a kernel, precision and table together, in order of appearance
        groups.setdefault(tuple(e["head"][:3]), []).append(e)
    rows = [e["head"] + [e["values"].get(r.label, "absent") for r in comp.runs]
            + [e["ratios"].get(r.label, "—") for r in comp.runs[1:]] for g in groups.values() for e in g]
    return headers, rows, set(range(len(key_cols), len(headers)))


def render(comp: Comparison, list_limit: int = 10) -> str:
    """The terminal report: runs, convention, per-case table, geometric means, unmatched cases, notes."""
    unit = METRICS[comp.metric][0]
    out = [f"compare: {comp.metric} ({unit}), runs by {comp.by}; {comp.convention}"]
    for i, r in enumerate(comp.runs):
        out.append(f"  {r.label}{' (baseline)' if i == 0 else ''}: {r.description}")
    out.append("")
    headers, rows, numeric = wide(comp)
    out.append(aligned(headers, rows, numeric))
    out.append("")
    out.append(f"geometric mean of the ratios (above 1 = faster than {comp.runs[0].label}):")
    gm = comp.geomeans
    if len(gm):
        out.append(aligned(["kernel", "table", "precision", "run", "cases", "geomean", "min", "max"],
                           [[g.kernel, g.table, g.precision, g.run, str(g.cases), fmt(g.geomean, 3), fmt(g.min, 3),
                             fmt(g.max, 3)] for g in gm.itertuples()], numeric={4, 5, 6, 7}))
    else:
        out.append("  none: no case matched")
    out.append("")
    counts = comp.unmatched_counts()
    base = comp.runs[0].label
    for run, c in counts.iterrows():
        missing = {m: int(c[m]) for m in REASONS if c[m]}
        words = ", ".join(f"{n} {REASONS[m].format(b=base, r=run, m=comp.metric)}" for m, n in missing.items())
        out.append(f"{run} against {base}: {int(c[MATCHED])} matched" + (f"; unmatched: {words}" if words else
                                                                           "; none unmatched"))
        for m in missing:
            sel = comp.cases[(comp.cases["run"] == run) & (comp.cases["match"] == m)]
            for _, s in sel.head(list_limit).iterrows():
                note = f" ({s['note']})" if s["note"] else ""
                out.append(f"    {REASONS[m].format(b=base, r=run, m=comp.metric)}: {s['kernel']} {s['precision']} "
                           f"{s['table']} {s['case']}{note}")
            if len(sel) > list_limit:
                out.append(f"    ... and {len(sel) - list_limit} more (all of them with --out)")
    for n in comp.notes:
        out.append(f"note: {n}")
    return "\n".join(out)


def write_csv(comp: Comparison, path: str) -> None:
    cols = comp.key[:4] + ["case"] + comp.key[4:] + ["baseline", "run", "metric", "baseline_value", "run_value",
                                                     "ratio", "match", "baseline_rows", "run_rows", "note"]
    comp.cases[cols].to_csv(path, index=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Per-case ratios of two or more dlbench result CSVs against the first (the baseline), with "
                    "a geometric mean per kernel, table and precision. Ratio above 1 = faster than the baseline "
                    "(run/baseline for rates, baseline/run for time_ms).")
    ap.add_argument("files", nargs="+", metavar="RESULT.csv", help="result CSVs; the first run is the baseline")
    ap.add_argument("--by", choices=BY, default="file",
                    help="what a run is: each file (default), or the rows of one device or backend")
    ap.add_argument("--metric", choices=list(METRICS), default="tflops", help="what to compare (default tflops)")
    ap.add_argument("--out", metavar="ratios.csv", help="also write every (case, run) pair as CSV")
    ap.add_argument("--labels", metavar="a,b,..", help="names of the runs, in order, comma-separated")
    args = ap.parse_args(argv)
    try:
        df = dlbench_results.load(args.files)
        labels = [x.strip() for x in args.labels.split(",")] if args.labels else None
        comp = compare(df, args.by, args.metric, labels)
    except InputError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    print(render(comp))
    if args.out:
        try:
            write_csv(comp, args.out)
        except OSError as e:
            print(f"compare.py: {args.out}: cannot write: {e.strerror or e}", file=sys.stderr)
            return 2
        print(f"wrote {args.out}")
    if not (comp.cases["match"] == MATCHED).any():
        print("compare.py: no case matched between the baseline and the other runs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
