#!/usr/bin/env python3
"""compare_torch.py: put dlbench's results (gemm_bench, conv_bench, rnn_bench CSVs) beside PyTorch's for the same
problems (torch_gemm.py, torch_conv.py, torch_rnn.py CSVs), case by case, as a markdown table. Standard library only.

  tools/compare_torch.py --torch=torch_conv.csv --torch=torch_rnn.csv conv.csv rnn.csv > compare.md
  tools/compare_torch.py --torch=torch.csv --out=compare.md autotune8=conv.csv heuristic=conv_heur.csv

dlbench's goal is to be at least as fast as PyTorch on every case it shares with it: each case where PyTorch is
faster is flagged, and the summary counts them.

Rows are told apart by their `kernel` column (gemm, conv, rnn; a CSV without one, like torch_gemm.py's, is read by
the form of its problem names) and joined on the canonical problem name with its precision (the `problem` column,
normalised through each kernel's parser, so both tools' spellings agree) and the cache mode: only rows timed the same
way (cold or hot) are joined. A PyTorch row from the same table and label is preferred, any other ok row for the
problem is used otherwise. Each dlbench CSV may be given as LABEL=FILE; the label names its rows in a `run` column
when there is more than one run (several files, or several backends in one file). Several rows of one dlbench case
(--benchmark_repetitions) count as one: the median of their times and the largest CoV. Only rows with status ok on
both sides are compared; the others are listed below the tables with their reasons.

ratio = PyTorch's median time ÷ dlbench's (above 1: dlbench faster); both tools count the same FLOPs for a problem,
so it is also the ratio of their TFLOP/s. A case where PyTorch is faster is marked "PyTorch faster", and "(within
noise)" when the gap is smaller than the two CoVs added. Summary per run, kernel, table, precision and direction
(conv) or pass (RNN): the geometric-mean and minimum ratio and how many cases PyTorch wins.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conv_common  # noqa: E402
import gemm_common  # noqa: E402
import rnn_common  # noqa: E402
from dlbench_tables import InputError, read_csv_rows  # noqa: E402

KERNELS = ("gemm", "conv", "rnn")


def kernel_of(row: dict) -> str:
    """The row's kernel column, or the kernel its problem name's form says (GEMM m..n..k.., convolution n..c..,
    RNN <cell>_...)."""
    kernel = row.get("kernel", "")
    if kernel:
        return kernel
    text = row.get("problem", "")
    if any(text.startswith(cell + "_") for cell in rnn_common.CELLS):
        return "rnn"
    if re.match(r"m\d+n\d+k\d+", text):
        return "gemm"
    if re.match(r"n\d+c\d+", text):
        return "conv"
    raise InputError(f"problem '{text}': no kernel column, and the name is not a GEMM, conv or RNN problem")


def problem_key(row: dict) -> tuple[str, str, str]:
    """(kernel, canonical name with precision, operation), the name normalised through the kernel's parser; the
    operation is what the summary splits a kernel's rows by besides table and precision: a convolution's direction,
    an RNN's pass, nothing for GEMM. Both come from the name, so every tool's CSV yields them alike."""
    kernel = kernel_of(row)
    text = row.get("problem", "")
    precision = row.get("precision", "") or None
    if not text:
        raise InputError("row without a problem name")
    if kernel == "gemm":
        problem, given = gemm_common.parse_problem(text, "problem column")
        return kernel, problem.canonical(given or precision), ""
    if kernel == "conv":
        problem, given = conv_common.parse_problem(text, "problem column")
        return kernel, problem.canonical(given["precision"] or precision), problem.direction
    if kernel == "rnn":
        problem, given = rnn_common.parse_problem(text, "problem column")
        return kernel, problem.canonical(given["precision"] or precision), problem.pass_
    raise InputError(f"problem '{text}': unknown kernel '{kernel}' (valid: {', '.join(KERNELS)})")


def number(text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def load_runs(specs):
    """[(run label, path, rows)] from LABEL=FILE or FILE specs; problems reading them go to `notes`."""
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
            raise InputError(f"{path}: no 'problem' column: not a dlbench CSV")
        runs.append((label, path, rows))
    return runs, notes


def group_cases(runs):
    """dlbench cases in file order, one entry per (run, backend, case name, cache mode), repetitions folded."""
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
            name = r.get("name") or "/".join((r.get("table", ""), r.get("label", ""), r.get("problem", "")))
            key = (label, backend, name, r.get("problem", ""), r.get("cache", ""))
            if key not in cases:
                cases[key] = {"run": run, "rows": []}
                order.append(key)
            cases[key]["rows"].append(r)
    out = []
    for key in order:
        rows = cases[key]["rows"]
        first = rows[0]
        entry = {"run": cases[key]["run"], "table": first.get("table", ""), "label": first.get("label", ""),
                 "precision": first.get("precision", ""), "cache": first.get("cache", ""),
                 "problem_text": first.get("problem", ""), "op": "", "kernel": "",
                 "algorithm": first.get("algorithm") or first.get("implementation", ""),
                 "packed": first.get("b_layout") == "packed"}
        try:
            entry["kernel"], entry["key"], entry["op"] = problem_key(first)
        except InputError as e:
            entry["key"], entry["reason"] = None, str(e)
        ok = [r for r in rows if r.get("status") == "ok" and number(r.get("time_ms"))]
        if ok:
            covs = [number(r.get("cov_pct")) for r in ok if number(r.get("cov_pct")) is not None]
            entry.update(status="ok", time_ms=statistics.median(number(r["time_ms"]) for r in ok),
                         cov=max(covs) if covs else None, repetitions=len(ok),
                         converged=all(r.get("converged", "true") != "false" for r in ok),
                         throttled=any(r.get("throttled", "").lower() == "true" for r in ok))
        else:
            entry["status"] = rows[-1].get("status", "") or "missing status"
            entry.setdefault("reason", rows[-1].get("reason", ""))
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
                r["_key"] = problem_key(r)[:2]
            except InputError as e:
                notes.append(f"{path}: {e}")
                continue
            index.setdefault(r["_key"], []).append(r)
            rows_all.append(r)
    return index, rows_all, notes


def match(entry, index):
    """(PyTorch row or None, the reason when None)."""
    candidates = index.get((entry["kernel"], entry["key"]), [])
    if entry["cache"]:
        same = [r for r in candidates if not r.get("cache") or r["cache"] == entry["cache"]]
        if candidates and not same:
            return None, f"no PyTorch row with cache={entry['cache']}"
        candidates = same
    if not candidates:
        return None, "no PyTorch row for this problem"

    def same_place(r):
        return r.get("table") == entry["table"] and r.get("label") == entry["label"]

    ok = [r for r in candidates if r.get("status") == "ok" and number(r.get("time_ms"))]
    for pool in ([r for r in ok if same_place(r)], ok):
        if pool:
            return pool[0], ""
    r = next((r for r in candidates if same_place(r)), candidates[0])
    return None, f"PyTorch {r.get('status') or 'no status'}: {r.get('reason', '')}".rstrip(": ")


def verdict(ratio, dl_cov, torch_cov):
    """'' when dlbench is at least as fast, else the flag, with '(within noise)' when the gap is under the CoVs."""
    if ratio >= 1.0:
        return ""
    gap_pct = (1.0 / ratio - 1.0) * 100.0
    noise = (dl_cov or 0.0) + (torch_cov or 0.0)
    return "PyTorch faster" + (" (within noise)" if gap_pct <= noise else "")


def compare(runs, torch_paths):
    cases = group_cases(runs)
    index, torch_rows, notes = index_torch(torch_paths)
    compared, not_compared, used = [], [], set()
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
        used.add(id(t))
        t_ms, t_cov = number(t["time_ms"]), number(t.get("cov_pct"))
        ratio = t_ms / e["time_ms"]
        notes_row = ["B packed"] if e["packed"] else []
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
        compared.append({**e, "torch_ms": t_ms, "torch_cov": t_cov, "ratio": ratio,
                         "flag": verdict(ratio, e["cov"], t_cov), "torch_backend": t.get("torch_backend", ""),
                         "notes": "; ".join(notes_row)})
    torch_only = [r for r in torch_rows if r.get("status") == "ok" and id(r) not in used
                  and not any((c["kernel"], c["key"]) == r["_key"] for c in compared)]
    meta = {"notes": notes,
            "devices_dl": sorted({r.get("device", "") for _, _, rows in runs for r in rows if r.get("device")}),
            "devices_torch": sorted({r.get("device", "") for r in torch_rows if r.get("device")}),
            "torch_versions": sorted({f"torch {r.get('torch')} (CUDA {r.get('cuda')}"
                                      + (f", cuDNN {r['cudnn']}" if r.get("cudnn") else "") + ")"
                                      for r in torch_rows if r.get("torch")}),
            "torch_cache": sorted({r.get("cache", "") for r in torch_rows if r.get("cache")})}
    return compared, not_compared, torch_only, meta


def summarize(rows):
    ratios = [r["ratio"] for r in rows]
    worst = min(rows, key=lambda r: r["ratio"])
    return {"n": len(rows), "geomean": geomean(ratios), "min": worst["ratio"],
            "min_where": f"{worst['table']}/{worst['label']} {worst['key']}",
            "torch_faster": sum(bool(r["flag"]) for r in rows)}


def fmt(v, digits):
    return "—" if v is None else f"{v:.{digits}f}"


def fmt_ms(v):
    return f"{v:.4g}"


def render(runs, torch_paths, compared, not_compared, torch_only, meta):
    show_run = any(r["run"] for r in compared) or any(e["run"] for e, _ in not_compared)
    run_col = "| run " if show_run else ""
    out = ["# dlbench vs PyTorch", ""]
    out.append(f"- dlbench: {', '.join(f'{label}={path}' if label else path for label, path, _ in runs)}"
               + (f" on {'; '.join(meta['devices_dl'])}" if meta["devices_dl"] else ""))
    out.append(f"- PyTorch: {', '.join(torch_paths)}"
               + (f", {'; '.join(meta['torch_versions'])}" if meta["torch_versions"] else "")
               + (f" on {'; '.join(meta['devices_torch'])}" if meta["devices_torch"] else "")
               + (f", cache {'/'.join(meta['torch_cache'])}" if meta["torch_cache"] else ""))
    out.append("- ratio = PyTorch median time ÷ dlbench median time (above 1: dlbench faster; the goal is at least 1 "
               "everywhere); \"PyTorch faster\" flags the others, \"(within noise)\" when the gap is under the two "
               "CoVs added")
    for note in meta["notes"]:
        out.append(f"- **note:** {note}")
    out.append("")

    out += ["## Summary", ""]
    if not compared:
        out += ["No row has status ok on both sides.", ""]
    else:
        groups = {}
        for r in compared:
            groups.setdefault((r["run"], r["kernel"]), {}).setdefault((r["table"], r["precision"], r["op"]),
                                                                      []).append(r)
        head = run_col + "| kernel | table | precision | direction/pass | rows | geomean ratio | min ratio (where) | " \
                         "PyTorch faster |"
        out += [head, "|" + "---|" * (head.count("|") - 1)]
        for (run, kernel), by_group in groups.items():
            for (table, precision, op), rows in by_group.items():
                s = summarize(rows)
                out.append((f"| {run} " if show_run else "") + f"| {kernel} | {table} | {precision} | {op or '—'} | "
                           f"{s['n']} | {s['geomean']:.3f} | {s['min']:.3f} ({s['min_where']}) | "
                           f"{s['torch_faster']} of {s['n']} |")
        out.append("")
        for (run, kernel), by_group in groups.items():
            s = summarize([r for rows in by_group.values() for r in rows])
            out.append(f"**{run + ' ' if show_run else ''}{kernel}: {s['n']} cases, geometric-mean ratio "
                       f"{s['geomean']:.3f}, min {s['min']:.3f} ({s['min_where']}), PyTorch faster in "
                       f"{s['torch_faster']} of {s['n']}**")
            out.append("")

        faster = [r for r in compared if r["flag"]]
        out += [f"## Where PyTorch is faster ({len(faster)})", ""]
        if not faster:
            out.append("None: dlbench is at least as fast on every compared case.")
        for r in sorted(faster, key=lambda r: r["ratio"]):
            out.append(f"- {(r['run'] + ': ') if show_run and r['run'] else ''}{r['kernel']} {r['table']}/{r['label']} "
                       f"{r['key']}: ratio {r['ratio']:.3f}, dlbench {fmt_ms(r['time_ms'])} ms vs PyTorch "
                       f"{fmt_ms(r['torch_ms'])} ms{' (within noise)' if 'noise' in r['flag'] else ''}"
                       + (f"; dlbench ran {r['algorithm']}" if r["algorithm"] else ""))
        out.append("")

        for kernel in KERNELS:
            rows = [r for r in compared if r["kernel"] == kernel]
            if not rows:
                continue
            out += [f"## {kernel} cases ({len(rows)})", ""]
            head = run_col + "| table/label | problem | dlbench ms | dlbench CoV % | PyTorch ms | PyTorch CoV % | " \
                             "ratio | verdict | dlbench algorithm | PyTorch backend | notes |"
            out += [head, "|" + "---|" * (head.count("|") - 1)]
            for r in rows:
                out.append((f"| {r['run']} " if show_run else "")
                           + f"| {r['table']}/{r['label']} | {r['key']} | {fmt_ms(r['time_ms'])} | "
                           f"{fmt(r['cov'], 2)} | {fmt_ms(r['torch_ms'])} | {fmt(r['torch_cov'], 2)} | "
                           f"{r['ratio']:.3f} | {r['flag'] or 'ok'} | {r['algorithm']} | {r['torch_backend']} | {r['notes']} |")
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
            k = (r["_key"][0], r.get("precision", ""), r.get("table", ""))
            counts[k] = counts.get(k, 0) + 1
        out += [f"## PyTorch ok rows with no ok dlbench row to compare with ({len(torch_only)})", ""]
        out.append(", ".join(f"{k} {p} {t}: {n}" for (k, p, t), n in sorted(counts.items())))
        out.append("")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="compare_torch.py", formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("dlbench", nargs="+", metavar="[LABEL=]DLBENCH_CSV",
                    help="gemm_bench, conv_bench or rnn_bench --csv files")
    ap.add_argument("--torch", action="append", required=True, metavar="CSV",
                    help="torch_gemm.py, torch_conv.py or torch_rnn.py --csv file(s)")
    ap.add_argument("--out", metavar="FILE", help="write the markdown here instead of standard output")
    args = ap.parse_args(argv)
    try:
        runs, notes = load_runs(args.dlbench)
        compared, not_compared, torch_only, meta = compare(runs, args.torch)
    except (InputError, OSError, UnicodeDecodeError) as e:
        print(f"compare_torch.py: {e}", file=sys.stderr)
        return 2
    meta["notes"] += notes
    text = render(runs, args.torch, compared, not_compared, torch_only, meta)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    faster = sum(bool(r["flag"]) for r in compared)
    print(f"compare_torch.py: {len(compared)} cases compared ({faster} where PyTorch is faster), "
          f"{len(not_compared)} dlbench rows not compared, {len(torch_only)} PyTorch ok rows without a dlbench row "
          "to compare with", file=sys.stderr)
    return 0 if compared else 1


if __name__ == "__main__":
    sys.exit(main())
