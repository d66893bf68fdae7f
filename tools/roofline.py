#!/usr/bin/env python3
"""roofline.py: the roofline chart of dlbench results: where each case sits against its target's roofs.

  tools/roofline.py gemm.csv conv.csv rnn.csv --out chart            writes chart.png and chart.svg
  tools/roofline.py results.csv --out chart --color precision
  tools/roofline.py run1/gemm.csv run2/gemm.csv --target run2/target.csv --out chart   one consistent roof
  tools/roofline.py results.csv --out chart --label-above 5           names the 5 points furthest above a roof

Log-log: x = arithmetic intensity (FLOP/byte), y = TFLOP/s (int8: TOPS). One panel per target (the `target`
column; the device in older CSVs). Each panel draws two roofs, as lines:

  spec roof      dashed grey: spec_peak_tflops per precision (horizontal) and spec_peak_gbps (the diagonal)
  measured roof  solid black: peak_tflops and peak_gbps of the rows whose peak_source is measured (peak_bench)

one horizontal ceiling per precision plotted (and per compute peak on a CPU: its peak scales with the row's
threads) and one bandwidth diagonal per kind. Ceilings are labelled with their figure right of the panel (moved
apart vertically, a leader joining each to its line), diagonals along the line where it crosses fewest points.

Where the roofs come from: --target FILE (repeatable) names dlbench target files (peak_bench's measured
target.csv, bench/target/specs.csv: '#' comments, then id,name,match,kind,source,...,fp32,tf32,fp16,bf16,fp8,int8,
memory_gbps,l2_mb,link_gbps,citation); a file row whose id is a panel's target supplies that panel's roof of its
source (spec or measured), the rows' own figures ignored (the last such row of the files wins). Without one, the
rows' figures: rows measured against different target files (two peak_bench runs) carry different figures for one
ceiling, and carry no date, so the highest is drawn and the others are named on stderr.

A point is one ok row, coloured by kernel or precision (--color), its marker by kernel; a red ring marks a point
above a roof, counted in the legend ("above a roof (N cases)"): a row placed against the figures drawn keeps its
file's verdict (above_roof), one placed against other figures is above when more than 0.1 % over a drawn roof, so
rings and lines agree (stderr says how many changed). Points are not named unless --label-above N: then at most
N per panel, those furthest over their roof first, each where its label overlaps no other label, ring or point
(a label with no free place is left out, said on stderr). Rows that cannot be on a FLOP chart are left out and
counted on stderr: allreduce (bound=link: measured against the link's bandwidth, not a FLOP roof), rows not ok,
ok rows without a positive intensity or rate. Older CSVs without the roofline columns get their points and no roof
(said on the panel and on stderr).

Headless (matplotlib's Agg backend); the SVG's text is drawn as paths, so it needs no font where it is viewed.
Exit status 2 for bad input (a result or target file that cannot be read or lacks a required column).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dlbench_results  # noqa: E402  (first: it finds the venv when this Python lacks pandas)
from dlbench_results import InputError  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.text  # noqa: E402
import matplotlib.transforms  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

MARKERS = {"gemm": "o", "conv": "s", "rnn": "^", "peak": "D"}
OTHER_MARKER = "v"
ROOF_STYLE = {  # kind: line style, colour, legend text
    "spec": dict(linestyle="--", color="#8a8a8a", label="spec roof (datasheet)"),
    "measured": dict(linestyle="-", color="#1a1a1a", label="measured roof (peak_bench)"),
}
LABEL_BOX = dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.75)
ABOVE = dict(color="#d62728", label="above a roof")
# A point is above a drawn roof when more than this fraction over it: target files round figures to 4 digits, and
# peak_bench's best probe is the measured ceiling itself.
ROUNDING = 1e-3
PRECISION_ORDER = ["fp64", "fp32", "tf32", "bf16", "fp16", "fp8e4m3", "fp8e5m2", "int8", "int32"]

matplotlib.rcParams["svg.hashsalt"] = "dlbench-roofline"  # the same SVG for the same input


@dataclass
class Roof:
    kind: str          # spec | measured
    precision: str     # "" for the bandwidth diagonal
    tflops: float      # NaN for the diagonal
    gbps: float        # the bandwidth the ceiling meets (NaN when unknown)
    note: str = ""     # e.g. "2 threads" when a precision has several ceilings


def sig(v: float, digits: int = 3) -> str:
    """A figure for a label: 3 significant digits, no exponent."""
    if not math.isfinite(v):
        return "?"
    if v == 0:
        return "0"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    return f"{v:.{decimals}f}"


def split_rows(df: pd.DataFrame):
    """(points, notes): the rows that go on the chart, and what was left out, counted."""
    notes = []
    ok = df["status"] == "ok"
    link = dlbench_results.is_link(df)
    # A probe that moves no bytes (peak_bench's FMA loop) has an infinite intensity: it has no place on the x axis.
    finite = np.isfinite(df["intensity"].astype(float)) & np.isfinite(df["tflops"].astype(float))
    good = ok & ~link & finite & (df["intensity"] > 0) & (df["tflops"] > 0)
    if (ok & link).any():
        n = int((ok & link).sum())
        notes.append(f"left out {n} allreduce row{'s' * (n != 1)} (bound=link: measured against the link "
                     f"bandwidth, no FLOP roof; see their roofline_pct)")
    if (~ok).any():
        counts = df.loc[~ok, "status"].value_counts()
        notes.append("left out rows not ok: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    bad = ok & ~link & ~good
    if bad.any():
        n = int(bad.sum())
        notes.append(f"left out {n} ok row{'s' * (n != 1)} without a positive, finite intensity and TFLOP/s")
    return df[good].copy(), notes


def roofs_of(target_rows: pd.DataFrame, precisions, targets=()):
    """(roofs, ceilings, notes) to draw for one target: per kind one ceiling per precision (per thread count on a
    CPU whose peaks differ by it) and one bandwidth diagonal; equal ceilings share a line ("bf16/fp16"). From the
    --target files where one has the rows' target id and the kind, else from the rows themselves
    (dlbench_results.ceilings: of several values the rows carry, the highest, the others noted)."""
    cs, notes = dlbench_results.ceilings(target_rows, list(precisions), targets)
    roofs = []
    for kind in dlbench_results.SOURCES:
        memory = next((c.value for c in cs if c.kind == kind and c.what == "memory"), float("nan"))
        for c in cs:
            if c.kind != kind or not c.is_peak:
                continue
            same = next((r for r in roofs if r.kind == kind and r.precision and r.note == c.thread_note
                         and math.isclose(r.tflops, c.value, rel_tol=1e-6)), None)
            if same:  # fp16 and bf16 usually share a peak: one line, both names
                same.precision += "/" + c.what
            else:
                roofs.append(Roof(kind, c.what, c.value, memory, c.thread_note))
        if memory == memory:
            roofs.append(Roof(kind, "", float("nan"), memory))
    return roofs, cs, notes


def palette(keys):
    """tab10 without its red (tab10's fourth colour), which would read as the above-a-roof ring."""
    cmap = plt.get_cmap("tab10")
    colours = [cmap(i) for i in range(10) if i != 3]
    return {k: colours[i % len(colours)] for i, k in enumerate(keys)}


def ordered(values, order=()):
    values = list(dict.fromkeys(values))
    return sorted(values, key=lambda v: (order.index(v) if v in order else len(order), values.index(v)))


def case_tag(row, ratio: float) -> str:
    """A short name for a labelled point: kernel, precision, the label's last two parts, the variant, and how far
    above its roof it is."""
    last = "/".join(row["label"].split("/")[-2:])
    pct = f" {100 * ratio:.0f} %" if ratio == ratio else ""
    return f"{row['kernel']} {row['precision']} {last}" + (f" {row['variant']}" if row["variant"] else "") + pct


def rings(points: pd.DataFrame, cs):
    """(above, ratio, notes): which points get a red ring, and their rate over the lowest drawn roof above them.
    A row placed against the very figures drawn keeps its file's verdict (above_roof); one placed against other
    figures (rows of an older target file, or --target replacing them) is above when more than ROUNDING over a
    drawn roof, so that the rings agree with the lines; a row no drawn roof applies to keeps its file's verdict."""
    ratio = dlbench_results.over_ceilings(points, cs)
    flagged = dlbench_results.above_roof(points)
    own = dlbench_results.own_figures(points, cs) | ratio.isna()
    above = flagged.where(own, ratio > 1 + ROUNDING).astype(bool)
    notes = []
    under, over = int((flagged & ~above).sum()), int((above & ~flagged).sum())
    if under:
        many = under != 1
        notes.append(f"{under} row{'s' * many} flagged above_roof by {'their files' if many else 'its file'} "
                     f"{'are' if many else 'is'} under the drawn roofs (placed against other figures): no ring")
    if over:
        many = over != 1
        notes.append(f"{over} row{'s' * many} not flagged above_roof {'are' if many else 'is'} above the drawn "
                     f"roofs (placed against other figures): ringed")
    return above, ratio, notes


def draw_panel(ax, target: str, rows: pd.DataFrame, points: pd.DataFrame, color_by: str, colors: dict,
               targets=(), label_above: int = 0):
    """One target's chart on `ax`; returns (notes, kinds of roof drawn, number of points ringed)."""
    precisions = ordered(points["precision"], PRECISION_ORDER)
    roofs, cs, notes = roofs_of(rows, precisions, targets)
    ceilings = [r for r in roofs if r.precision]
    xs = list(points["intensity"]) + [r.tflops * 1e3 / r.gbps for r in ceilings if r.gbps > 0]
    ys = list(points["tflops"]) + [r.tflops for r in ceilings]
    xmin, xmax = min(xs) / 4, max(xs) * 4
    ymin, ymax = min(ys) / 4, max(ys) * 3
    diagonals = [r for r in roofs if not r.precision]
    for d in diagonals:  # the diagonal may set the bottom left: keep it inside when it is the lower bound
        ymin = min(ymin, max(xmin * d.gbps / 1e3, min(ys) / 30))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)

    ax.ceiling_labels, ax.diagonal_labels = [], []
    for r in ceilings:
        style = ROOF_STYLE[r.kind]
        x0 = r.tflops * 1e3 / r.gbps if r.gbps > 0 else xmin
        ax.plot([x0, xmax], [r.tflops, r.tflops], linestyle=style["linestyle"], color=style["color"], lw=1.4,
                gid=f"roof-{r.kind}-{r.precision}" + (f"-{r.note.split()[0]}t" if r.note else ""), zorder=2)
        # Right of the panel, at the line's height, the figure only (the y axis gives the unit); unpile() moves
        # labels up or down out of each other's way, a short leader joining each to its line.
        text = f"{r.precision} {r.kind} {sig(r.tflops)}" + (f" ({r.note})" if r.note else "")
        label = ax.annotate(text, (1.0, r.tflops), xycoords=ax.get_yaxis_transform(), xytext=(8, 0),
                            textcoords="offset points", ha="left", va="center", fontsize=7, color=style["color"],
                            annotation_clip=False, gid=f"ceiling-label-{r.kind}-{r.precision}",
                            arrowprops=dict(arrowstyle="-", color=style["color"], lw=0.6, shrinkA=0, shrinkB=0))
        ax.ceiling_labels.append(label)
    for d in diagonals:
        style = ROOF_STYLE[d.kind]
        peaks = [r.tflops for r in ceilings if r.kind == d.kind]
        x1 = max(peaks) * 1e3 / d.gbps if peaks else xmax
        x0 = xmin
        ax.plot([x0, x1], [x0 * d.gbps / 1e3, x1 * d.gbps / 1e3], linestyle=style["linestyle"],
                color=style["color"], lw=1.4, gid=f"roof-{d.kind}-memory", zorder=2)
        # The label along the line, rotated to it, above it (spec) or below (measured); where along it is chosen
        # once the layout is final (place_diagonal_labels), away from the points.
        label = ax.annotate(f"{d.kind} {sig(d.gbps)} GB/s", (x0, x0 * d.gbps / 1e3),
                            xytext=(0, 4 if d.kind == "spec" else -4), textcoords="offset points",
                            rotation_mode="anchor", ha="center", va="bottom" if d.kind == "spec" else "top",
                            fontsize=7, color=style["color"], zorder=5, bbox=LABEL_BOX)
        label.line = (x0, x1, d.gbps)
        ax.diagonal_labels.append(label)
    if not roofs:
        notes.append("no roof known (an older CSV without the roofline columns): points only")
        ax.text(0.02, 0.98, "no roof known\n(older CSV without roofline columns)", transform=ax.transAxes,
                va="top", ha="left", fontsize=8, color="#555555")
    elif not any(r.kind == "measured" for r in roofs):
        ax.text(0.02, 0.98, "no measured roof (no peak_bench target file)", transform=ax.transAxes, va="top",
                ha="left", fontsize=7.5, color="#555555")

    # Smaller, lighter markers when there are many, so that a dense cluster still shows its shape.
    size, alpha = (42, 0.9) if len(points) <= 120 else (26, 0.8)
    for kernel in ordered(points["kernel"], list(MARKERS)):
        pk = points[points["kernel"] == kernel]
        for key in ordered(pk[color_by], PRECISION_ORDER):
            g = pk[pk[color_by] == key]
            ax.scatter(g["intensity"], g["tflops"], marker=MARKERS.get(kernel, OTHER_MARKER), s=size,
                       color=colors[key], edgecolors="black", linewidths=0.4, alpha=alpha, zorder=3,
                       gid=f"points-{kernel}-{key}")
    above, ratio, ring_notes = rings(points, cs)
    notes += ring_notes
    ringed = points[above]
    if len(ringed):
        ax.scatter(ringed["intensity"], ringed["tflops"], s=size * 3.6, facecolors="none",
                   edgecolors=ABOVE["color"], linewidths=1.3, zorder=4, gid="above-roof")
    # Labels wait for the final layout (place_labels): the highest over their roof first.
    order = ratio[above].fillna(0).sort_values(ascending=False, kind="stable").index
    ax.above_points = [(points.at[i, "intensity"], points.at[i, "tflops"], case_tag(points.loc[i], ratio[i]))
                       for i in order[:max(0, label_above)]]
    ax.ring_points = list(zip(ringed["intensity"], ringed["tflops"]))
    ax.all_points = list(zip(points["intensity"], points["tflops"]))

    device = "; ".join(dict.fromkeys(dlbench_results.short_device(d) for d in rows["device"]))
    title = target if target == device or target in device else f"{target}\n{device}"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("arithmetic intensity (FLOP/byte)")
    ax.set_ylabel("TFLOP/s (int8: TOPS)")
    ax.grid(True, which="major", color="#e0e0e0", lw=0.6)
    ax.grid(True, which="minor", color="#f2f2f2", lw=0.4)
    ax.set_axisbelow(True)
    return [f"{target}: {n}" if not n.startswith(target) else n for n in notes], \
        {r.kind for r in roofs}, int(above.sum())


def text_box(artist, renderer):
    """The window extent of an annotation's text alone (without its leader line), where it is now."""
    artist.update_positions(renderer)
    return matplotlib.text.Text.get_window_extent(artist, renderer)


def unpile(fig, ax):
    """Spreads the ceiling labels (right of the panel) vertically so that none overlaps another, each as close to
    its line's height as the others allow: overlapping labels form a block centred on their lines' heights."""
    labels = getattr(ax, "ceiling_labels", [])
    if len(labels) < 2:
        return
    renderer = fig.canvas.get_renderer()
    gap = 2 * fig.dpi / 72
    items = []
    for label in labels:
        box = text_box(label, renderer)
        items.append([label, (box.y0 + box.y1) / 2, box.height + gap])  # label, wanted centre, height (px)
    items.sort(key=lambda it: -it[1])
    blocks = []  # [members, top]: members stacked downwards from top
    for it in items:
        blocks.append([[it], it[1] + it[2] / 2])
        while len(blocks) > 1:
            upper, lower = blocks[-2], blocks[-1]
            if upper[1] - sum(m[2] for m in upper[0]) >= lower[1]:
                break
            members = upper[0] + lower[0]
            # Centre the block on the mean of the wanted centres, measured as if stacked from a top of 0.
            offsets, y = [], 0.0
            for m in members:
                offsets.append(y - m[2] / 2)
                y -= m[2]
            top = sum(m[1] - o for m, o in zip(members, offsets)) / len(members)
            blocks[-2:] = [[members, top]]
    for members, top in blocks:
        y = top
        for label, wanted, h in members:
            centre = y - h / 2
            y -= h
            dx, _ = label.xyann
            label.xyann = (dx, (centre - wanted) * 72 / fig.dpi)


def place_diagonal_labels(fig, ax, points):
    """Puts each bandwidth diagonal's label where along its line it covers the fewest points (memory-bound cases
    sit right on the line), rotated to the line's angle on screen: on its own side (spec above, measured below)
    unless the other side (above: no point can be there but those above a roof) covers fewer; never over another
    diagonal's label. A label whose line has no room is removed."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    xy = ax.transData.transform(np.column_stack([points["intensity"], points["tflops"]])) if len(points) else \
        np.zeros((0, 2))
    ylo, yhi = ax.get_ylim()
    placed = []
    for label in list(getattr(ax, "diagonal_labels", [])):
        x0, x1, gbps = label.line
        p0, p1 = ax.transData.transform([(x0, x0 * gbps / 1e3), (x1, x1 * gbps / 1e3)])
        angle = math.atan2(p1[1] - p0[1], p1[0] - p0[0])
        label.set_rotation(math.degrees(angle))
        size = label.get_fontsize() * fig.dpi / 72
        width, height = 0.56 * size * len(label.get_text()), 1.4 * size
        own = 1 if label.get_va() == "bottom" else -1
        best = None
        for side in (own, -own):
            label.set_va("bottom" if side > 0 else "top")
            label.xyann = (0, 4 * side)
            for t in sorted(np.linspace(0, 0.7, 36), key=lambda t: abs(t - 1 / 3)):  # a third of the way first
                lx = math.exp(math.log(x0) + (math.log(x1) - math.log(x0)) * t)
                ly = lx * gbps / 1e3
                if not ylo < ly < yhi:
                    continue
                anchor = ax.transData.transform((lx, ly))
                ends = [anchor + np.array([math.cos(angle), math.sin(angle)]) * e * width / 2 for e in (-1, 1)]
                if not all(frame.x0 < e[0] < frame.x1 and frame.y0 < e[1] < frame.y1 for e in ends):
                    continue
                label.xy = (lx, ly)
                if any(text_box(label, renderer).overlaps(p) for p in placed):
                    continue
                rel = xy - anchor  # the points in the label's frame: u along the line, v across it
                u = rel[:, 0] * math.cos(angle) + rel[:, 1] * math.sin(angle)
                v = (-rel[:, 0] * math.sin(angle) + rel[:, 1] * math.cos(angle)) * side
                covered = int(((np.abs(u) < width / 2 + 4) & (v > -2) & (v < height + 8)).sum())
                if best is None or covered < best[0]:
                    best = (covered, side, lx, ly)
            if best is not None and best[0] == 0:
                break
        if best is None:
            label.remove()
            ax.diagonal_labels.remove(label)
            continue
        _, side, lx, ly = best
        label.set_va("bottom" if side > 0 else "top")
        label.xyann = (0, 4 * side)
        label.xy = (lx, ly)
        placed.append(text_box(label, renderer))


# Where a point's label may go, in points from the point: rings of growing radius, up-left first (the points
# above a roof sit high and right, the empty space is up and left of them).
LABEL_ANGLES = (135, 45, 160, 20, 225, 315, 90, 270, 180, 0)
LABEL_RADII = (12, 22, 34, 48, 64, 82, 104, 130, 160, 195)


def place_labels(fig, ax):
    """Labels the points chosen by --label-above where their text overlaps no other label (ceilings, diagonals,
    other points' labels) and no red ring, inside the panel, with a thin leader line; returns the labels that
    found no place."""
    todo = getattr(ax, "above_points", [])
    if not todo:
        return []
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    blocked = [text_box(a, renderer) for a in ax.diagonal_labels]
    ring_px, dot_px = 8 * fig.dpi / 72, 3 * fig.dpi / 72
    for (x, y), r in [(p, ring_px) for p in ax.ring_points] + [(p, dot_px) for p in ax.all_points]:
        px, py = ax.transData.transform((x, y))
        blocked.append(matplotlib.transforms.Bbox([[px - r, py - r], [px + r, py + r]]))
    failed = []
    for i, (x, y, text) in enumerate(todo):
        label = ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points", fontsize=6.5,
                            color=ABOVE["color"], zorder=6, bbox=LABEL_BOX, gid=f"above-label-{i}",
                            arrowprops=dict(arrowstyle="-", color=ABOVE["color"], lw=0.6, shrinkA=0, shrinkB=5))
        for r in LABEL_RADII:
            found = False
            for a in LABEL_ANGLES:
                c, s_ = math.cos(math.radians(a)), math.sin(math.radians(a))
                label.xyann = (r * c, r * s_)
                label.set_ha("right" if c < -0.2 else "left" if c > 0.2 else "center")
                label.set_va("bottom" if s_ > 0.2 else "top" if s_ < -0.2 else "center")
                box = text_box(label, renderer)
                inside = frame.x0 < box.x0 and box.x1 < frame.x1 and frame.y0 < box.y0 and box.y1 < frame.y1
                if inside and not any(box.overlaps(b) for b in blocked):
                    found = True
                    break
            if found:
                break
        if found:
            blocked.append(text_box(label, renderer))
        else:
            label.remove()
            failed.append(text)
    return failed


def draw(df: pd.DataFrame, color_by: str = "kernel", title: str | None = None, targets=(), label_above: int = 0):
    """(figure, notes): the chart of every plottable row of `df`, a panel per target; (None, notes) when no row
    can be plotted. targets: dlbench_results.Target rows (--target files) whose figures replace the rows' roofs
    of their id and kind. label_above: name at most that many of the points above a roof per panel."""
    if color_by not in ("kernel", "precision"):
        raise InputError(f"--color {color_by}: not kernel or precision")
    points, notes = split_rows(df)
    if points.empty:
        notes.append("nothing to plot: no ok row with a FLOP rate and intensity")
        return None, notes
    panels = list(dict.fromkeys(points["where"]))
    unused = [t for t in dict.fromkeys((t.id, t.file) for t in targets) if t[0] not in set(df["target"])]
    notes += [f"--target {f}: {i} is the target of no row: not used" for i, f in unused]
    n = len(panels)
    cols = 1 if n == 1 else 2
    nrows = math.ceil(n / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(7.2 * cols, 5.2 * nrows), squeeze=False)
    keys = ordered(points[color_by], PRECISION_ORDER if color_by == "precision" else list(MARKERS))
    colors = palette(keys)
    drawn, ringed = set(), 0
    for ax, target in zip(axes.flat, panels):
        panel_notes, kinds, k = draw_panel(ax, target, df[df["where"] == target], points[points["where"] == target],
                                           color_by, colors, targets, label_above)
        notes += panel_notes
        drawn |= kinds
        ringed += k
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)

    # The legend outside the panels, on the right: colours, markers (when colour is not the kernel), roofs.
    handles = []
    for k in keys:
        marker = MARKERS.get(k, OTHER_MARKER) if color_by == "kernel" else "o"
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=7, color=colors[k],
                              markeredgecolor="black", markeredgewidth=0.4, label=k))
    if color_by != "kernel":
        for k in ordered(points["kernel"], list(MARKERS)):
            handles.append(Line2D([], [], linestyle="none", marker=MARKERS.get(k, OTHER_MARKER), markersize=7,
                                  color="#bbbbbb", markeredgecolor="black", markeredgewidth=0.4, label=k))
    for kind in ("measured", "spec"):
        if kind in drawn:
            s = ROOF_STYLE[kind]
            handles.append(Line2D([], [], linestyle=s["linestyle"], color=s["color"], lw=1.4, label=s["label"]))
    if ringed:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=11, markerfacecolor="none",
                              markeredgecolor=ABOVE["color"], markeredgewidth=1.6,
                              label=f"{ABOVE['label']} ({ringed} case{'s' * (ringed != 1)})"))
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8.5, frameon=False,
               title=color_by, title_fontsize=9)
    if title or n > 1:  # a single panel's title already names its target and device
        fig.suptitle(title or f"Roofline: {n} targets", fontsize=11)
    fig.tight_layout()
    for ax, target in zip(axes.flat, panels):
        unpile(fig, ax)
        place_diagonal_labels(fig, ax, points[points["where"] == target])
        missed = place_labels(fig, ax)
        if missed:
            notes.append(f"{target}: --label-above: no free place for {len(missed)} label"
                         f"{'s' * (len(missed) != 1)} ({'; '.join(missed)}): left out")
    return fig, notes


def save(fig, out: str) -> list:
    """Writes OUT.png and OUT.svg (a given .png or .svg suffix is dropped first); returns their paths."""
    base = out[:-4] if out.lower().endswith((".png", ".svg")) else out
    paths = [base + ".png", base + ".svg"]
    fig.savefig(paths[0], dpi=130, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return paths


def svg_text(fig) -> str:
    """The figure as SVG text (report.py embeds it)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Roofline chart (PNG and SVG) of dlbench result CSVs: TFLOP/s against FLOP/byte, log-log, "
                    "with the spec and the measured roof of each target.")
    ap.add_argument("files", nargs="+", metavar="RESULT.csv", help="result CSVs (gemm, conv, rnn, ...)")
    ap.add_argument("--out", required=True, metavar="chart", help="writes chart.png and chart.svg")
    ap.add_argument("--color", choices=("kernel", "precision"), default="kernel",
                    help="colour points by kernel (default) or precision; the marker is always the kernel")
    ap.add_argument("--title", help="the figure's title (default: the targets)")
    ap.add_argument("--target", action="append", default=[], metavar="FILE",
                    help="a dlbench target file (peak_bench's measured target.csv, bench/target/specs.csv); "
                         "repeatable. Its figures are drawn as the roofs of the rows with its id, for its source "
                         "(spec or measured), instead of those the rows carry: one consistent roof for rows "
                         "measured against different target files")
    ap.add_argument("--label-above", type=int, default=0, metavar="N",
                    help="name at most N of the points above a roof per panel, those furthest above first, where "
                         "a label fits without overlapping another (default 0: ringed, counted in the legend, "
                         "not named)")
    args = ap.parse_args(argv)
    if args.label_above < 0:
        ap.error("--label-above: N must be 0 or more")
    try:
        df = dlbench_results.load(args.files)
        targets = dlbench_results.read_targets(args.target) if args.target else []
        fig, notes = draw(df, args.color, args.title, targets, args.label_above)
    except InputError as e:
        print(f"roofline.py: {e}", file=sys.stderr)
        return 2
    for n in notes:
        print(f"roofline.py: {n}", file=sys.stderr)
    if fig is None:
        return 1
    try:
        paths = save(fig, args.out)
    except OSError as e:
        print(f"roofline.py: {args.out}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 2
    plt.close(fig)
    print("wrote " + " and ".join(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
