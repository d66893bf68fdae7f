#!/usr/bin/env python3
"""compare_gemm.py: put dlbench's gemm_bench results beside PyTorch's (tools/torch_gemm.py) for the same problems,
as a markdown table. Standard library only.

  tools/compare_gemm.py --torch=torch.csv dlbench.csv > compare.md
  tools/compare_gemm.py --torch=torch.csv --part=auto --out=compare.md autotune8=dlbench.csv heuristic=heur.csv

Each dlbench CSV may be given as LABEL=FILE; the label names its rows in a `run` column when there is more than
one run (several files, or several backends in one file), e.g. the same problem with and without --autotune. When
the ok rows were timed in more than one cache mode, the mode joins the run name (`autotune8 hot`), so cold and hot
figures get separate summaries.

Joining: on the canonical problem name with its precision (gemm_bench's `problem` column, e.g.
m4096n4096k4096_nt_bf16; a name without the precision token gets the row's `precision`). The same problem can sit
in several tables (llm's 70B attn_out prefill_t8192 is m8192n8192k8192_nt): a PyTorch row with the same table and
label is preferred, any other ok row for the problem is used otherwise. When both CSVs have a `cache` column
(cold/hot), only rows timed the same way are joined. Several rows of one dlbench case (--benchmark_repetitions)
count as one: the median of their TFLOP/s and the largest CoV. Only rows with status ok on both sides are
compared; the others are listed below the table with their reasons.

Columns: TFLOP/s as each tool reports it (2·m·n·k·batch / median time), CoV % of the samples, ratio =
dlbench / PyTorch (above 1: dlbench faster), and each side as % of the part's dense spec peak for the precision
(MEASURE.md §4, --part). Summary per run and precision: geometric-mean and minimum ratio, rows where dlbench is at
least as fast, the largest CoV on each side.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_common import InputError, parse_problem, read_csv_rows  # noqa: E402

# Dense spec peaks, TFLOP/s (int8: TOPS), decimal, from MEASURE.md §4. None: the part has no such tensor path.
# MEASURE.md asks to check these against the vendor datasheet before publishing a figure built on them.
PARTS = {
    "h100-sxm5": ("H100 SXM5 80GB", {"fp32": 67, "tf32": 494.7, "fp16": 989.4, "bf16": 989.4,
                                     "fp8e4m3": 1978.9, "fp8e5m2": 1978.9, "int8": 1978.9}),
    "h100-pcie": ("H100 PCIe 80GB", {"fp32": 51, "tf32": 378, "fp16": 756, "bf16": 756,
                                     "fp8e4m3": 1513, "fp8e5m2": 1513, "int8": 1513}),
    "h200-sxm": ("H200 SXM 141GB", {"fp32": 67, "tf32": 494.7, "fp16": 989.4, "bf16": 989.4,
                                    "fp8e4m3": 1979, "fp8e5m2": 1979, "int8": 1979}),
    "a100-sxm4": ("A100 SXM4 80GB", {"fp32": 19.5, "tf32": 156, "fp16": 312, "bf16": 312,
                                     "fp8e4m3": None, "fp8e5m2": None, "int8": 624}),
    "v100-sxm2": ("V100 SXM2", {"fp32": 15.7, "tf32": None, "fp16": 125, "bf16": None,
                                "fp8e4m3": None, "fp8e5m2": None, "int8": None}),
    "l40s": ("L40S", {"fp32": 91.6, "tf32": 183, "fp16": 362, "bf16": 362,
                      "fp8e4m3": 733, "fp8e5m2": 733, "int8": 733}),
    "mi300x": ("MI300X", {"fp32": 163.4, "tf32": 653.7, "fp16": 1307.4, "bf16": 1307.4,
                          "fp8e4m3": 2614.9, "fp8e5m2": 2614.9, "int8": 2614.9}),
}
DEFAULT_PART = "h100-sxm5"


def part_from_device(name: str):
    """The PARTS key a device name (torch.cuda.get_device_name, or gemm_bench's device column) identifies, or
    None. H100 SXM5 calls itself "NVIDIA H100 80GB HBM3"; PCIe and NVL say so."""
    n = name.upper()
    if "H100" in n:
        if "PCIE" in n:
            return "h100-pcie"
        if "NVL" in n:
            return None
        if "HBM3" in n or "SXM" in n:
            return "h100-sxm5"
        return None
    if "H200" in n and "NVL" not in n:
        return "h200-sxm"
    if "A100" in n and "SXM4" in n:
        return "a100-sxm4"
    if "V100" in n and "SXM2" in n:
        return "v100-sxm2"
    if "L40S" in n:
        return "l40s"
    if "MI300X" in n:
        return "mi300x"
    return None


def problem_key(row: dict) -> str:
    """The canonical name with precision, normalised through the parser so both tools' spellings agree."""
    text = row.get("problem", "")
    precision = row.get("precision", "") or None
    if not text:
        raise InputError("row without a problem name")
    problem, given = parse_problem(text, "problem column")
    return problem.canonical(given or precision)


def number(text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def truthy(text) -> bool:
    return str(text).strip().lower() in ("true", "1", "yes")


def fmt_tflops(v):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def fmt(v, digits):
    return "—" if v is None else f"{v:.{digits}f}"


def load_dlbench(specs):
    """[(run label, rows)] from LABEL=FILE or FILE specs; problems reading them go to `notes`."""
    runs, notes = [], []
    for spec in specs:
        label, sep, path = spec.partition("=")
        if not sep:
            label, path = os.path.splitext(os.path.basename(spec))[0], spec
        if not os.path.isfile(path):
            raise InputError(f"no such dlbench CSV '{path}'")
        rows, problems = read_csv_rows(path)
        notes.extend(problems)
        if rows and "problem" not in rows[0]:
            raise InputError(f"{path}: no 'problem' column: not a gemm_bench CSV")
        runs.append((label, path, rows))
    return runs, notes


def group_cases(runs):
    """dlbench cases in file order: one entry per (run, backend, case name, cache mode), repetitions folded."""
    backends = {r.get("backend", "") for _, _, rows in runs for r in rows}
    caches = {r.get("cache", "") for _, _, rows in runs for r in rows if r.get("status") == "ok"}
    many = len(runs) > 1 or len(backends) > 1
    cases, order = {}, []
    for label, _, rows in runs:
        for r in rows:
            backend = r.get("backend", "")
            run = (label if len(backends) <= 1 else f"{label}/{backend}") if many else ""
            if len(caches) > 1 and r.get("cache"):  # cold and hot figures of one run are summarised apart
                run = f"{run} {r['cache']}".strip()
            name = r.get("name") or "/".join((r.get("table", ""), r.get("label", ""), r.get("precision", "")))
            key = (label, backend, name, r.get("cache", ""))  # one case timed cold and hot: two entries
            if key not in cases:
                cases[key] = {"run": run, "rows": []}
                order.append(key)
            cases[key]["rows"].append(r)
    out = []
    for key in order:
        rows = cases[key]["rows"]
        first = rows[0]
        ok = [r for r in rows if r.get("status") == "ok" and number(r.get("tflops")) is not None]
        entry = {"run": cases[key]["run"], "table": first.get("table", ""), "label": first.get("label", ""),
                 "precision": first.get("precision", ""), "cache": first.get("cache", ""),
                 "b_layout": first.get("b_layout", ""), "problem_text": first.get("problem", "")}
        try:
            entry["key"] = problem_key(first)
        except InputError as e:
            entry["key"] = None
            entry["reason"] = str(e)
        if ok:
            entry["status"] = "ok"
            entry["tflops"] = statistics.median(number(r["tflops"]) for r in ok)
            covs = [number(r.get("cov_pct")) for r in ok if number(r.get("cov_pct")) is not None]
            entry["cov"] = max(covs) if covs else None
            entry["repetitions"] = len(ok)
            entry["converged"] = all(r.get("converged", "true") != "false" for r in ok)
            entry["throttled"] = any(truthy(r.get("throttled", "")) for r in ok)
        else:
            last = rows[-1]
            entry["status"] = last.get("status", "") or "missing status"
            entry.setdefault("reason", last.get("reason", ""))
        out.append(entry)
    return out


def index_torch(paths):
    index, rows_all, notes = {}, [], []
    for path in paths:
        if not os.path.isfile(path):
            raise InputError(f"no such PyTorch CSV '{path}'")
        rows, problems = read_csv_rows(path)
        notes.extend(problems)
        for r in rows:
            try:
                key = problem_key(r)
            except InputError as e:
                notes.append(f"{path}: {e}")
                continue
            r["_key"] = key
            index.setdefault(key, []).append(r)
            rows_all.append(r)
    return index, rows_all, notes


def match(entry, index):
    """(torch row or None, reason when None)."""
    candidates = index.get(entry["key"], [])
    if entry["cache"]:
        same_cache = [r for r in candidates if not r.get("cache") or r["cache"] == entry["cache"]]
        if candidates and not same_cache:
            return None, f"no PyTorch row with cache={entry['cache']}"
        candidates = same_cache
    if not candidates:
        return None, "no PyTorch row for this problem"

    def same_place(r):
        return r.get("table") == entry["table"] and r.get("label") == entry["label"]

    ok = [r for r in candidates if r.get("status") == "ok" and number(r.get("tflops")) is not None]
    for pool in ([r for r in ok if same_place(r)], ok):
        if pool:
            return pool[0], ""
    r = next((r for r in candidates if same_place(r)), candidates[0])
    return None, f"PyTorch {r.get('status') or 'no status'}: {r.get('reason', '')}".rstrip(": ")


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def compare(runs, torch_paths, part_arg):
    cases = group_cases(runs)
    index, torch_rows, notes = index_torch(torch_paths)

    devices_torch = sorted({r.get("device", "") for r in torch_rows if r.get("device")})
    devices_dl = sorted({r.get("device", "") for _, _, rows in runs for r in rows if r.get("device")})
    detected = {p for d in devices_torch + devices_dl if (p := part_from_device(d))}
    warnings = []
    if part_arg == "auto":
        if len(detected) == 1:
            part = detected.pop()
        else:
            part = DEFAULT_PART
            warnings.append(f"--part=auto could not tell the part from the device names "
                            f"({'; '.join(devices_torch + devices_dl) or 'none'}): peaks are {PARTS[part][0]}'s")
    else:
        part = part_arg
        if detected and part not in detected:
            warnings.append(f"the device names ({'; '.join(devices_torch + devices_dl)}) suggest "
                            f"{', '.join(sorted(detected))}, but the peaks are {PARTS[part][0]}'s (--part={part})")
    part_name, peaks = PARTS[part]
    if any(not e["cache"] for e in cases if e["status"] == "ok") and torch_rows:
        modes = sorted({r.get("cache", "") for r in torch_rows if r.get("cache")})
        warnings.append(f"the dlbench CSV has no cache column: its rows are assumed to be timed like PyTorch's "
                        f"({', '.join(modes) or 'unknown'})")

    compared, not_compared, used_torch = [], [], set()
    for e in cases:
        if e["key"] is None:
            not_compared.append((e, f"dlbench: {e['reason']}"))
            continue
        if e["status"] != "ok":
            not_compared.append((e, f"dlbench {e['status']}: {e.get('reason', '')}".rstrip(": ")))
            continue
        t, why = match(e, index)
        if t is None:
            not_compared.append((e, why))
            continue
        used_torch.add(id(t))
        tt = number(t["tflops"])
        notes_row = []
        if e.get("b_layout") == "packed":
            notes_row.append("B packed")
        if not e["converged"]:
            notes_row.append("dlbench not converged")
        if t.get("converged") == "false":
            notes_row.append("PyTorch not converged")
        if e["throttled"]:
            notes_row.append("dlbench throttled")
        if e["repetitions"] > 1:
            notes_row.append(f"{e['repetitions']} repetitions")
        if (t.get("table"), t.get("label")) != (e["table"], e["label"]):
            notes_row.append(f"PyTorch row {t.get('table')}/{t.get('label')}")
        peak = peaks.get(e["precision"])
        compared.append({**e, "torch_tflops": tt, "torch_cov": number(t.get("cov_pct")),
                         "ratio": e["tflops"] / tt if tt else None,
                         "dl_peak": 100 * e["tflops"] / peak if peak else None,
                         "torch_peak": 100 * tt / peak if peak else None, "notes": "; ".join(notes_row)})
    torch_only = [r for r in torch_rows if r.get("status") == "ok" and id(r) not in used_torch
                  and not any(c["key"] == r["_key"] for c in compared)]
    meta = {"part": part, "part_name": part_name, "peaks": peaks, "warnings": warnings + notes,
            "devices_torch": devices_torch, "devices_dl": devices_dl,
            "torch_versions": sorted({f"torch {r.get('torch')} (CUDA {r.get('cuda')})" for r in torch_rows
                                      if r.get("torch")}),
            "torch_cache": sorted({r.get("cache", "") for r in torch_rows if r.get("cache")})}
    return compared, not_compared, torch_only, meta


def summarize(rows):
    ratios = [r["ratio"] for r in rows if r["ratio"]]
    if not ratios:
        return None
    worst = min(rows, key=lambda r: r["ratio"] or math.inf)
    dl_cov = [r for r in rows if r["cov"] is not None]
    t_cov = [r for r in rows if r["torch_cov"] is not None]
    return {"n": len(rows), "geomean": geomean(ratios), "min": worst["ratio"],
            "min_where": f"{worst['table']}/{worst['label']} {worst['key']}",
            "ge": sum(r["ratio"] >= 1.0 for r in rows if r["ratio"]),
            "dl_cov": max((r["cov"] for r in dl_cov), default=None),
            "torch_cov": max((r["torch_cov"] for r in t_cov), default=None)}


def render(runs, torch_paths, compared, not_compared, torch_only, meta):
    show_run = any(r["run"] for r in compared) or any(e["run"] for e, _ in not_compared)
    out = ["# dlbench vs PyTorch: GEMM", ""]
    out.append(f"- dlbench: {', '.join(f'{label}={path}' if label else path for label, path, _ in runs)}"
               + (f" on {'; '.join(meta['devices_dl'])}" if meta["devices_dl"] else ""))
    out.append(f"- PyTorch: {', '.join(torch_paths)}"
               + (f", {'; '.join(meta['torch_versions'])}" if meta["torch_versions"] else "")
               + (f" on {'; '.join(meta['devices_torch'])}" if meta["devices_torch"] else "")
               + (f", cache {'/'.join(meta['torch_cache'])}" if meta["torch_cache"] else ""))
    peaks = ", ".join(f"{p} {v:g}" for p, v in meta["peaks"].items() if v)
    out.append(f"- % peak: of {meta['part_name']}'s dense spec peak (MEASURE.md §4, TFLOP/s; int8 TOPS): {peaks}")
    out.append("- ratio = dlbench TFLOP/s ÷ PyTorch TFLOP/s (above 1: dlbench faster); TFLOP/s = 2·m·n·k·batch "
               "÷ median time")
    for w in meta["warnings"]:
        out.append(f"- **note:** {w}")
    out.append("")

    out += ["## Summary", ""]
    groups = {}
    for r in compared:
        groups.setdefault(r["run"], {}).setdefault(r["precision"], []).append(r)
    if not compared:
        out += ["No row has status ok on both sides.", ""]
    else:
        head = ("| run " if show_run else "") + "| precision | rows | geomean ratio | min ratio (where) | " \
               "dlbench ≥ PyTorch | max CoV % dlbench | max CoV % PyTorch |"
        out += [head, "|" + "---|" * (head.count("|") - 1)]
        for run, by_precision in groups.items():
            items = list(by_precision.items()) + [("all", [r for rows in by_precision.values() for r in rows])]
            for precision, rows in items:
                s = summarize(rows)
                if s is None:
                    continue
                out.append(("| " + run + " " if show_run else "")
                           + f"| {precision} | {s['n']} | {s['geomean']:.3f} | {s['min']:.3f} ({s['min_where']}) | "
                           f"{s['ge']} of {s['n']} | {fmt(s['dl_cov'], 2)} | {fmt(s['torch_cov'], 2)} |")
        for run, by_precision in groups.items():
            s = summarize([r for rows in by_precision.values() for r in rows])
            if s:
                out.append("")
                out.append(f"**{run + ': ' if show_run else ''}{s['n']} rows: geometric-mean ratio "
                           f"{s['geomean']:.3f}, min {s['min']:.3f} ({s['min_where']}), dlbench ≥ PyTorch in "
                           f"{s['ge']} of {s['n']}, max CoV {fmt(s['dl_cov'], 2)} % (dlbench) / "
                           f"{fmt(s['torch_cov'], 2)} % (PyTorch)**")
        out.append("")

        out += ["## Rows", ""]
        head = ("| run " if show_run else "") + "| table/label | problem | precision | dlbench TFLOP/s | " \
               "dlbench CoV % | PyTorch TFLOP/s | PyTorch CoV % | dlbench/PyTorch | dlbench % peak | " \
               "PyTorch % peak | notes |"
        out += [head, "|" + "---|" * (head.count("|") - 1)]
        for r in compared:
            out.append(("| " + r["run"] + " " if show_run else "")
                       + f"| {r['table']}/{r['label']} | {r['key']} | {r['precision']} | {fmt_tflops(r['tflops'])} | "
                       f"{fmt(r['cov'], 2)} | {fmt_tflops(r['torch_tflops'])} | {fmt(r['torch_cov'], 2)} | "
                       f"{fmt(r['ratio'], 3)} | {fmt(r['dl_peak'], 1)} | {fmt(r['torch_peak'], 1)} | {r['notes']} |")
        out.append("")

    if not_compared:
        out += [f"## Not compared ({len(not_compared)} dlbench rows)", ""]
        for e, why in not_compared:
            run = f"{e['run']}: " if show_run and e["run"] else ""
            out.append(f"- {run}{e['table']}/{e['label']} {e['key'] or e['problem_text']}: {why}")
        out.append("")
    if torch_only:
        counts = {}
        for r in torch_only:
            counts[(r.get("precision", ""), r.get("table", ""))] = counts.get((r.get("precision", ""),
                                                                              r.get("table", "")), 0) + 1
        out += [f"## PyTorch ok rows with no ok dlbench row to compare with ({len(torch_only)})", ""]
        out.append(", ".join(f"{p} {t}: {n}" for (p, t), n in sorted(counts.items())))
        out.append("")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="compare_gemm.py", formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("dlbench", nargs="+", metavar="[LABEL=]DLBENCH_CSV", help="gemm_bench --csv files")
    ap.add_argument("--torch", action="append", required=True, metavar="CSV", help="torch_gemm.py --csv file(s)")
    ap.add_argument("--part", default=DEFAULT_PART, choices=sorted(PARTS) + ["auto"],
                    help="whose spec peaks give the %% peak columns; auto: from the device names [%(default)s]")
    ap.add_argument("--out", metavar="FILE", help="write the markdown here instead of standard output")
    args = ap.parse_args(argv)
    try:
        runs, notes = load_dlbench(args.dlbench)
        compared, not_compared, torch_only, meta = compare(runs, args.torch, args.part)
    except (InputError, OSError, UnicodeDecodeError) as e:
        print(f"compare_gemm.py: {e}", file=sys.stderr)
        return 2
    meta["warnings"] += notes
    text = render(runs, args.torch, compared, not_compared, torch_only, meta)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    print(f"compare_gemm.py: {len(compared)} rows compared, {len(not_compared)} dlbench rows not compared, "
          f"{len(torch_only)} PyTorch ok rows without a dlbench row to compare with", file=sys.stderr)
    return 0 if compared else 1


if __name__ == "__main__":
    sys.exit(main())
