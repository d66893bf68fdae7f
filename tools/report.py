#!/usr/bin/env python3
"""report.py: one self-contained HTML page of dlbench results, to read offline or attach to an issue.

  tools/report.py gemm.csv conv.csv rnn.csv allreduce.csv --out report.html --title "Xeon, oneDNN 3.5"
  tools/report.py old/gemm.csv new/gemm.csv --out report.html           adds the comparison of the two
  tools/report.py run1/gemm.csv run2/gemm.csv --target run2/target.csv --out report.html   one consistent roof

The page: a summary of the run (files, devices and targets, backends, ok/skipped/failed counts), the roofline
chart of each target (roofline.py's, both roofs; --target and --label-above as there), a Targets table per target
id (its ceilings per precision, memory and link bandwidth, spec and measured, where the measured ones came from,
the values the rows carry besides, ok rows and rows above a roof per precision), per kernel a table of every row
(failed rows in red, skipped in grey, rows above a roof marked), and with two or more runs the comparison of
compare.py (--by, --metric as there; --by auto, the default, compares devices when the files hold several, else
files; runs that share no case, such as one file per kernel of one run, get a note instead).
No external resource: the style and a tiny script are inline and the charts are embedded SVG images (data: URIs),
so the file works from a disk, a mail or an artifact store, without a server.

The inline script counts, once the page has loaded, the tables and the charts that rendered (images with a
non-zero natural width, inline <svg>) and writes them into <body data-tables, data-charts, data-failed-rows,
data-rendered="yes">, beside data-expected-tables and data-expected-charts written here: a headless browser
(tools/tests/test_report.py, Debian's chromium) checks the page rendered by comparing the two.
Exit status 2 for bad input (a file that cannot be read or lacks a required column).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import html
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dlbench_results  # noqa: E402  (first: it finds the venv when this Python lacks pandas)
import compare  # noqa: E402
import roofline  # noqa: E402  (selects matplotlib's Agg backend)
from dlbench_results import MEANING, InputError  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402

CASE_COLUMNS = ["name", "precision", "time_ms", "cov_pct", "tflops", "gbps", "intensity", "roofline_pct", "bound",
                "error", "verified", "status", "reason"]
KERNEL_ORDER = ["gemm", "conv", "rnn", "allreduce", "peak"]

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 1.5em 2em;
       color: #1d1d1d; }
.scroll { overflow-x: auto; max-width: 100%; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.8em;
   border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; }
.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 12.5px; }
th, td { border: 1px solid #d4d4d4; padding: 2px 7px; vertical-align: top; }
th { background: #f1f1f1; text-align: left; position: sticky; top: 0; cursor: help; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11.5px; min-width: 16em; }
td.reason { min-width: 14em; max-width: 40em; }
tr.failed td { background: #fde2e1; } tr.failed td.status { color: #b00020; font-weight: bold; }
tr.skipped td { background: #f4f4f4; color: #777; }
td.above { color: #b00020; font-weight: bold; }
.bad { color: #b00020; font-weight: bold; } .note { color: #555; font-size: 12.5px; }
figure { margin: 0.5em 0 1.5em; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 12.5px; }
.count { display: inline-block; margin-right: 1.2em; }
"""

# Counts what rendered, for a headless browser to read back from the body's data attributes.
SCRIPT = """
window.addEventListener('load', function () {
  var images = Array.prototype.filter.call(document.images, function (i) {
    return i.complete && i.naturalWidth > 0; }).length;
  var svgs = Array.prototype.filter.call(document.querySelectorAll('svg'), function (s) {
    return !s.parentElement.closest('svg') && s.getBoundingClientRect().width > 0; }).length;
  var d = document.body.dataset;
  d.tables = document.querySelectorAll('table').length;
  d.charts = images + svgs;
  d.failedRows = document.querySelectorAll('tr.failed').length;
  d.rendered = 'yes';
});
"""


def esc(v) -> str:
    return html.escape(str(v), quote=True)


def cell(column: str, value, above: str | None = None) -> str:
    """One <td>: numbers right-aligned with 4 significant figures, text escaped; `above` marks a roofline_pct
    above a roof (the above_roof text, or "" when only the percentage says so)."""
    if column in dlbench_results.NUMERIC:
        if isinstance(value, float) and math.isnan(value):
            return '<td class="num"></td>'
        cls = "num"
        text = compare.fmt(value) if column != "error" else f"{value:.2e}"
        if column == "roofline_pct" and above is not None:
            cls += " above"
            text += " ▲" + (f" {above}" if above else "")
        return f'<td class="{cls}">{esc(text)}</td>'
    cls = {"name": "name", "status": "status", "reason": "reason"}.get(column, "")
    text = esc(value.upper() if column == "status" and value == "failed" else value)
    if column == "name":  # long names may break after a slash
        text = text.replace("/", "/<wbr>")
    return f'<td{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>{text}</td>'


def header(columns) -> str:
    return "<tr>" + "".join(f'<th title="{esc(MEANING.get(c, ""))}">{esc(c)}</th>' for c in columns) + "</tr>"


def table(headers, rows, numeric=(), cls="", row_classes=None) -> str:
    """A <table> from text cells (compare.py's tables)."""
    out = ['<div class="scroll">', f'<table class="{cls}">' if cls else "<table>", header(headers)]
    for i, r in enumerate(rows):
        rc = row_classes[i] if row_classes else ""
        out.append(f'<tr{f" class={chr(34)}{rc}{chr(34)}" if rc else ""}>' + "".join(
            f'<td class="num">{esc(c)}</td>' if j in numeric else f"<td>{esc(c)}</td>" for j, c in enumerate(r))
            + "</tr>")
    out.append("</table></div>")
    return "\n".join(out)


def summary(df) -> str:
    files = dlbench_results.describe_files(df)
    counts = df["status"].value_counts()
    parts = [f'<span class="count"><b>{len(df)}</b> rows</span>']
    for s in dlbench_results.STATUSES:
        n = int(counts.get(s, 0))
        cls = ' class="bad"' if s == "failed" and n else ""
        parts.append(f'<span class="count"><b{cls}>{n}</b> {s}</span>')
    facts = [("targets", [t for t in dict.fromkeys(df["target"]) if t] or ["(none: older CSVs)"]),
             ("devices", list(dict.fromkeys(df["device"]))),
             ("backends", [f"{b} ({l})" if l else b for b, l in dict.fromkeys(zip(df["backend"], df["library"]))]),
             ("kernels", list(dict.fromkeys(df["kernel"])))]
    out = ["<h2 id=summary>Summary</h2>", "<p>" + " ".join(parts) + "</p>", "<ul>"]
    out += [f"<li><b>{k}</b>: {esc('; '.join(v))}</li>" for k, v in facts]
    out.append("</ul>")
    cols = list(files.columns)
    out.append(table(cols, [[str(x) for x in r] for r in files.itertuples(index=False)],
                     numeric={cols.index(c) for c in ("rows", "ok", "skipped", "failed")}, cls="files"))
    return "\n".join(out)


def targets_section(df, targets=()):
    """The Targets section: per target id of the rows, a table of its ceilings (spec and measured peak per
    precision, memory and link bandwidth; from the rows, or from --target files), with the ok rows and the rows
    above a roof per precision; and the number of tables."""
    out = ["<h2 id=targets>Targets</h2>",
           '<p class="note">The roofs each target\'s rows are placed against: spec (datasheet: the rows\' '
           "spec_peak_tflops and spec_peak_gbps) and measured (peak_bench: peak_tflops and peak_gbps of the rows "
           "whose peak_source is measured), or the figures of a --target file with the target's id. Of several "
           "values the rows carry for one figure (rows measured against different target files) the highest is "
           "kept and the others are named. Above a roof: ok rows over a roof of this table (the chart's red "
           "rings).</p>"]
    ids = [t for t in dict.fromkeys(df["target"]) if t]
    if not ids:
        out.append("<p class=note>No target: the files predate the roofline columns (no target column).</p>")
        return "\n".join(out), 0
    names = dlbench_results.display_names(list(df["file"]) + [t.file for t in targets])
    for target in ids:
        rows = df[df["target"] == target]
        link = dlbench_results.is_link(rows)
        ok = rows["status"] == "ok"
        precisions = roofline.ordered(rows.loc[~link, "precision"], roofline.PRECISION_ORDER)
        cs, notes = dlbench_results.ceilings(rows, precisions, targets)
        points, _ = roofline.split_rows(rows)
        above, _, ring_notes = roofline.rings(points, cs)
        flagged = dlbench_results.above_roof(rows[ok & ~link])

        keys = list(dict.fromkeys((c.what, c.thread_note) for c in cs if c.is_peak))
        keys += [(p, "") for p in precisions if not any(k[0] == p for k in keys)]
        keys.sort(key=lambda k: precisions.index(k[0]))
        keys += [(w, "") for w in ("memory", "link") if any(c.what == w for c in cs)]

        def find(kind, what, note):
            """The ceiling of kind for (what, thread note); a kind without a per-thread split has one for all."""
            for c in cs:
                if c.kind == kind and c.what == what and c.thread_note in (note, ""):
                    return c
            return None

        body = []
        for what, note in keys:
            spec, meas = find("spec", what, note), find("measured", what, note)
            unit = "GB/s" if what in ("memory", "link") else "TOPS" if what == "int8" else "TFLOP/s"
            if what == "memory":
                n_ok, n_above = len(points), ""
            elif what == "link":
                n_ok = int((ok & link).sum())
                n_above = int(dlbench_results.above_roof(rows[ok & link]).sum())
            else:
                sel = points["precision"] == what
                if note:
                    sel &= points["threads"] == float(note.split()[0])
                n_ok, n_above = int(sel.sum()), int(above[sel].sum())
            label = {"memory": "memory bandwidth", "link": "link bandwidth (per direction)"}.get(what, what)
            pct = meas.value / spec.value * 100 if spec and meas and spec.value > 0 else float("nan")
            src = "" if meas is None else "rows" if meas.source == "rows" else names[meas.source]
            remarks = [f"{c.kind} also carried: {'; '.join(c.ignored)}" for c in (spec, meas) if c and c.ignored]
            body.append([label + (f" ({note})" if note else ""), unit, compare.fmt(spec.value) if spec else "—",
                         compare.fmt(meas.value) if meas else "—", compare.fmt(pct, 3), src, str(n_ok),
                         str(n_above), "; ".join(remarks)])
        files = [t for t in targets if t.id == target]
        name = next((t.name for t in files if t.name), "")
        out.append(f"<h3 id=target-{esc(target)}>{esc(target)}"
                   + (f" <span class=note>({esc(name)})</span>" if name else "") + "</h3>")
        n_above = int(above.sum())
        kinds = rows.loc[ok & ~link, "above_roof"].value_counts()
        tally = ", ".join(f"{int(n)} {k}" for k, n in kinds.items() if k)
        out.append(f"<p><b{' class=bad' if n_above else ''}>{n_above}</b> of {len(points)} ok rows on the chart "
                   f"above a roof of this table; {int(flagged.sum())} flagged above_roof by their files"
                   + (f" ({esc(tally)})" if tally else "") + ".</p>")
        out.append(table(["ceiling", "unit", "spec", "measured", "measured % of spec", "measured from", "ok rows",
                          "above a roof", "note"], body, numeric={2, 3, 4, 6, 7}, cls="targets"))
        for t in files:
            if t.citation:
                out.append(f"<p class=note>{esc(names[t.file])} ({esc(t.source)}): {esc(t.citation)}</p>")
        # (the values the rows carry besides the ones kept are in the table's note column)
        out += [f"<p class=note>note: {esc(n[len(target) + 2:] if n.startswith(target + ': ') else n)}</p>"
                for n in notes + ring_notes if ": drew " not in n]
    unused = list(dict.fromkeys(f"{t.id} ({names[t.file]})" for t in targets if t.id not in ids))
    if unused:
        out.append(f"<p class=note>--target rows for no row's target, not used: {esc(', '.join(unused))}</p>")
    return "\n".join(out), len(ids)


def charts(df, color_by: str, targets=(), label_above: int = 0):
    """The roofline section: a chart per target (points of every file), and the number of charts."""
    out = ["<h2 id=roofline>Roofline</h2>",
           '<p class="note">x: arithmetic intensity (FLOP/byte), y: TFLOP/s (int8: TOPS), log-log. Solid black: '
           "the measured roof (peak_bench), dashed grey: the spec roof (datasheet); a horizontal ceiling per "
           "precision and the bandwidth diagonal, their figures in the Targets tables below. A red ring: a row "
           "above a roof.</p>"]
    n = 0
    for target in dict.fromkeys(df["where"]):
        fig, notes = roofline.draw(df[df["where"] == target], color_by, targets=targets, label_above=label_above)
        if fig is None:
            out.append(f"<p class=note>{esc(target)}: no chart ({esc('; '.join(notes))})</p>")
            continue
        svg = roofline.svg_text(fig)
        plt.close(fig)
        notes = [n for n in notes if ": drew " not in n]  # the figures kept and ignored: in the Targets tables
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        out.append(f'<figure><img alt="roofline chart of {esc(target)}" src="data:image/svg+xml;base64,{data}">'
                   f"<figcaption>{esc(target)}" + (f": {esc('; '.join(notes))}" if notes else "")
                   + "</figcaption></figure>")
        n += 1
    if not n:
        out.append("<p class=note>No chart: no ok row with a FLOP rate (allreduce rows are measured against a "
                   "link, not a FLOP roof).</p>")
    return "\n".join(out), n


def kernel_tables(df):
    """Per kernel, a table of every row, in file order; and the number of tables."""
    several = df["file"].nunique() > 1
    out = ["<h2 id=cases>Cases</h2>"]
    kernels = sorted(dict.fromkeys(df["kernel"]), key=lambda k: (KERNEL_ORDER.index(k) if k in KERNEL_ORDER
                                                                 else len(KERNEL_ORDER), k))
    for kernel in kernels:
        rows = df[df["kernel"] == kernel]
        cols = (["file"] if several else []) + CASE_COLUMNS
        if kernel == "allreduce":
            cols.insert(cols.index("roofline_pct"), "busbw_gbps")
        counts = rows["status"].value_counts()
        tally = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in dlbench_results.STATUSES if counts.get(s, 0))
        out.append(f"<h3 id=kernel-{esc(kernel)}>{esc(kernel)} <span class=note>({len(rows)} rows: {tally})"
                   "</span></h3>")
        out.append(f'<div class="scroll"><table class="cases kernel-{esc(kernel)}">')
        out.append(header(cols))
        above = dlbench_results.above_roof(rows)
        for (_, r), up in zip(rows.iterrows(), above):
            status = r["status"]
            rc = f' class="{status}"' if status != "ok" else ""
            out.append(f"<tr{rc}>" + "".join(cell(c, os.path.basename(r[c]) if c == "file" else r[c],
                                                  r["above_roof"] if up else None) for c in cols) + "</tr>")
        out.append("</table></div>")
    return "\n".join(out), len(kernels)


def comparison(df, by: str, metric: str):
    """The comparison section (two or more runs) and its number of tables."""
    # Only the cases of two or more runs: a run that shares none (an allreduce file beside GEMMs) would otherwise
    # be the baseline of nothing.
    runs_of_case = df.groupby(compare.KEY, sort=False)[by].transform("nunique")
    shared = df[runs_of_case >= 2]
    alone = df[runs_of_case < 2].groupby(compare.KEY, sort=False).ngroups
    if shared[by].nunique() < 2:
        return ("<h2 id=comparison>Comparison</h2><p class=note>No comparison: the runs (by "
                f"{esc(by)}: {esc(', '.join(dict.fromkeys(df[by])))}) share no case (e.g. one file per kernel of "
                "one run).</p>"), 0
    try:
        comp = compare.compare(shared, by, metric)
    except InputError as e:
        return f"<h2 id=comparison>Comparison</h2><p class=note>No comparison: {esc(e)}</p>", 0
    if alone:
        comp.notes.append(f"{alone} case{'s' * (alone != 1)} measured in one run only: not in this comparison")
    base = comp.runs[0].label
    out = ["<h2 id=comparison>Comparison</h2>",
           f"<p><b>{esc(comp.convention)}</b>. Runs by {esc(by)}; baseline <b>{esc(base)}</b>. Cases match on "
           "kernel, precision, table, label, variant and problem; only ok rows are compared.</p><ul>"]
    out += [f"<li><b>{esc(r.label)}</b>{' (baseline)' if i == 0 else ''}: {esc(r.description)}</li>"
            for i, r in enumerate(comp.runs)]
    out.append("</ul>")
    gm = comp.geomeans
    out.append(f"<h3>Geometric mean of the ratios (above 1 = faster than {esc(base)})</h3>")
    out.append(table(["kernel", "table", "precision", "run", "cases", "geomean", "min", "max"],
                     [[g.kernel, g.table, g.precision, g.run, str(g.cases), compare.fmt(g.geomean, 3),
                       compare.fmt(g.min, 3), compare.fmt(g.max, 3)] for g in gm.itertuples()],
                     numeric={4, 5, 6, 7}, cls="geomeans"))
    counts = comp.unmatched_counts()
    out.append("<ul>")
    for run, c in counts.iterrows():
        words = ", ".join(f"{int(c[m])} {compare.REASONS[m].format(b=base, r=run, m=metric)}"
                          for m in compare.REASONS if c[m])
        out.append(f"<li>{esc(run)} against {esc(base)}: {int(c[compare.MATCHED])} matched"
                   + (f'; <span class="bad">unmatched: {esc(words)}</span>' if words else "; none unmatched")
                   + "</li>")
    out.append("</ul>")
    headers, rows, numeric = compare.wide(comp)
    marks = ["failed" if any(x == "failed" for x in r) else "" for r in rows]
    out.append(f"<h3>Per case: {esc(metric)} ({esc(compare.METRICS[metric][0])})</h3>")
    out.append(table(headers, rows, numeric, cls="comparison", row_classes=marks))
    out += [f"<p class=note>note: {esc(n)}</p>" for n in comp.notes]
    return "\n".join(out), 2


def build(paths, title=None, by="auto", metric="tflops", color_by="kernel", target_files=(),
          label_above=0) -> str:
    """The HTML page for the result files `paths`; target_files: dlbench target files (--target) whose figures
    are the roofs of the rows with their ids."""
    df = dlbench_results.load(paths)
    targets = dlbench_results.read_targets(target_files) if target_files else []
    title = title or "dlbench results: " + ", ".join(os.path.basename(p) for p in paths)
    sections, tables, n_charts = [], 1, 0
    sections.append(summary(df))
    text, n_charts = charts(df, color_by, targets, label_above)
    sections.append(text)
    text, n = targets_section(df, targets)
    sections.append(text)
    tables += n
    text, n = kernel_tables(df)
    sections.append(text)
    tables += n
    if by == "auto":  # several devices: compare them; else each file is a run (library versions, ...)
        by = "device" if df["device"].nunique() >= 2 else "file"
    if df[by].nunique() >= 2:
        text, n = comparison(df, by, metric)
        sections.append(text)
        tables += n
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>", "</head>",
        f'<body data-expected-tables="{tables}" data-expected-charts="{n_charts}">',
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{len(paths)} file{"s" * (len(paths) != 1)}: {esc(", ".join(paths))}'
        + (f"; target file{'s' * (len(target_files) != 1)}: {esc(', '.join(target_files))}" if target_files else "")
        + '; made by '
        f"tools/report.py, {when}. Hover a column header for its meaning.</p>",
        *sections, f"<script>{SCRIPT}</script>", "</body>", "</html>", ""])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="One self-contained HTML report of dlbench result CSVs: summary, roofline charts, a table "
                    "per kernel and, with two or more files, the comparison against the first.")
    ap.add_argument("files", nargs="+", metavar="RESULT.csv", help="result CSVs")
    ap.add_argument("--out", required=True, metavar="report.html", help="the HTML file to write")
    ap.add_argument("--title", help="the page's title")
    ap.add_argument("--by", choices=("auto",) + compare.BY, default="auto",
                    help="comparison runs, as compare.py's --by; auto (default): device when the files hold "
                         "several devices, else file")
    ap.add_argument("--metric", choices=list(compare.METRICS), default="tflops",
                    help="comparison metric (as compare.py; default tflops)")
    ap.add_argument("--color", choices=("kernel", "precision"), default="kernel", help="chart points coloured by")
    ap.add_argument("--target", action="append", default=[], metavar="FILE",
                    help="a dlbench target file (as roofline.py; repeatable): its figures are the roofs of the rows "
                         "with its id, in the charts and the Targets tables")
    ap.add_argument("--label-above", type=int, default=0, metavar="N",
                    help="name at most N of the points above a roof per chart (as roofline.py; default 0)")
    args = ap.parse_args(argv)
    if args.label_above < 0:
        ap.error("--label-above: N must be 0 or more")
    try:
        page = build(args.files, args.title, args.by, args.metric, args.color, args.target, args.label_above)
    except InputError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 2
    try:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(page)
    except OSError as e:
        print(f"report.py: {args.out}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
