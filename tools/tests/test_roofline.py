"""Tests of tools/roofline.py: the files it writes, and in the SVG (matplotlib keeps each artist's gid as the id
of its <g>) the points, roof lines and above-roof rings it drew, counted and placed."""

from __future__ import annotations

import csv
import os
import xml.etree.ElementTree as ET

import pytest

import roofline
from conftest import CPU_RUN, GPU_RUN, REPO, fixture

SVG = "{http://www.w3.org/2000/svg}"


def groups(svg_path):
    """{gid: element} of the chart's named groups (points-*, roof-*, above-roof)."""
    root = ET.parse(svg_path).getroot()
    return {g.get("id"): g for g in root.iter(SVG + "g")
            if g.get("id", "").startswith(("points-", "roof-", "above-roof"))}


def marks(group) -> int:
    """Markers drawn by one scatter: <use> of a marker defined once, or (few points) one <path> each."""
    in_defs = {id(p) for d in group.iter(SVG + "defs") for p in d.iter(SVG + "path")}
    uses = len(list(group.iter(SVG + "use")))
    paths = sum(1 for p in group.iter(SVG + "path") if id(p) not in in_defs)
    return uses + paths


def horizontal_y(group) -> float:
    """The SVG y of a ceiling (a horizontal path "M x y L x y"); smaller is higher."""
    d = next(group.iter(SVG + "path")).get("d").split()
    assert d[0] == "M" and d[3] == "L" and float(d[2]) == pytest.approx(float(d[5])), "not horizontal"
    return float(d[2])


def ok_flop_rows(paths) -> int:
    n = 0
    for p in paths:
        with open(p, newline="") as f:
            n += sum(1 for r in csv.DictReader(f) if r["status"] == "ok" and r["kernel"] != "allreduce")
    return n


def test_writes_png_and_svg(run_tool, tmp_path):
    rc, out, err = run_tool(roofline.main, CPU_RUN + ["--out", tmp_path / "chart"])
    assert rc == 0, err
    png, svg = tmp_path / "chart.png", tmp_path / "chart.svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert svg.read_text().lstrip().startswith("<?xml") and svg.stat().st_size > 20_000
    assert "wrote" in out and str(png) in out
    assert "left out 2 allreduce rows (bound=link" in err
    assert "left out rows not ok: 1 skipped" in err


def test_svg_has_one_point_per_ok_row_and_both_roofs(tmp_path):
    out = tmp_path / "chart"
    assert roofline.main(CPU_RUN + ["--out", str(out)]) == 0
    g = groups(str(out) + ".svg")
    points = {k: marks(v) for k, v in g.items() if k.startswith("points-")}
    assert points == {"points-gemm-gemm": 8, "points-conv-conv": 3, "points-rnn-rnn": 2}
    assert sum(points.values()) == ok_flop_rows(CPU_RUN) == 13  # allreduce and the skipped row left out
    roofs = sorted(k for k in g if k.startswith("roof-"))
    # fp32 has a measured and a spec ceiling; bf16 only a spec one; int8 (skipped) none; one diagonal per kind.
    assert roofs == ["roof-measured-fp32", "roof-measured-memory", "roof-spec-bf16", "roof-spec-fp32",
                     "roof-spec-memory"]
    # The spec fp32 ceiling (0.2688) above the measured one (0.25), bf16 (4.3) above both.
    assert horizontal_y(g["roof-spec-bf16"]) < horizontal_y(g["roof-spec-fp32"]) < \
        horizontal_y(g["roof-measured-fp32"])
    assert marks(g["above-roof"]) == 1  # the Winograd convolution


def test_gpu_panel_merges_equal_ceilings_and_rings_the_hot_case(tmp_path):
    out = tmp_path / "gpu"
    assert roofline.main(GPU_RUN + ["--out", str(out), "--color", "precision"]) == 0
    g = groups(str(out) + ".svg")
    roofs = sorted(k for k in g if k.startswith("roof-"))
    assert roofs == ["roof-measured-bf16/fp16", "roof-measured-fp32", "roof-measured-memory",
                     "roof-spec-bf16/fp16", "roof-spec-fp32", "roof-spec-memory", "roof-spec-tf32"]
    points = {k: marks(v) for k, v in g.items() if k.startswith("points-")}
    assert points == {"points-gemm-fp32": 2, "points-gemm-tf32": 1, "points-gemm-bf16": 1, "points-gemm-fp16": 2,
                      "points-conv-fp32": 1, "points-conv-fp16": 2}
    assert marks(g["above-roof"]) == 1  # fp16 m64n64k64, hot: above the measured memory roof


def test_ceilings_per_thread_count(tmp_path):
    rows = list(csv.DictReader(open(fixture("cpu_gemm.csv"), newline="")))
    for r in rows[:3]:  # the m2048 fp32 repetitions, as if run on 1 thread: half the peak
        r.update(threads="1", peak_tflops="0.125", spec_peak_tflops="0.1344")
    path = tmp_path / "threads.csv"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert roofline.main([str(path), "--out", str(tmp_path / "t")]) == 0
    roofs = sorted(k for k in groups(str(tmp_path / "t.svg")) if k.startswith("roof-"))
    assert roofs == ["roof-measured-fp32-1t", "roof-measured-fp32-2t", "roof-measured-memory", "roof-spec-bf16",
                     "roof-spec-fp32-1t", "roof-spec-fp32-2t", "roof-spec-memory"]


def test_old_format_gets_points_and_no_roof(run_tool, tmp_path):
    rc, _, err = run_tool(roofline.main, [fixture("old_gemm.csv"), "--out", tmp_path / "old"])
    assert rc == 0
    assert "no roof known" in err
    g = groups(str(tmp_path / "old.svg"))
    assert not [k for k in g if k.startswith("roof-")]
    assert sum(marks(v) for k, v in g.items() if k.startswith("points-")) == 3


def test_published_results_plot(run_tool, tmp_path):
    folder = os.path.join(REPO, "results", "cpu-xeon-amx-2vcpu")
    paths = [os.path.join(folder, f) for f in ("gemm_square_1thread.csv", "conv_smoke.csv", "rnn_kws.csv",
                                               "allreduce_mpi_2ranks.csv")]
    rc, _, err = run_tool(roofline.main, paths + ["--out", tmp_path / "published"])
    assert rc == 0, err
    assert "allreduce rows (bound=link" in err and "no roof known" in err
    g = groups(str(tmp_path / "published.svg"))
    assert sum(marks(v) for k, v in g.items() if k.startswith("points-")) == ok_flop_rows(paths[:3])


def test_nothing_to_plot_and_bad_input(run_tool, tmp_path):
    rc, _, err = run_tool(roofline.main, [fixture("cpu_allreduce.csv"), "--out", tmp_path / "none"])
    assert rc == 1 and "nothing to plot" in err and not (tmp_path / "none.png").exists()
    rc, _, err = run_tool(roofline.main, [tmp_path / "nope.csv", "--out", tmp_path / "x"])
    assert rc == 2 and "nope.csv: cannot read" in err
    rc, _, err = run_tool(roofline.main, [fixture("cpu_gemm.csv")])
    assert rc == 2 and "--out" in err


# ------------------------------------------------------------------ H200: rows placed against two measured targets

H200 = [fixture("h200_gemm_run1.csv"), fixture("h200_gemm_run2.csv")]
H200_TARGET, H200_TARGET_RUN1 = fixture("h200_target.csv"), fixture("h200_target_run1.csv")


def drawn(fig):
    """{gid: (first y, last y)} of the roof lines the chart drew (a ceiling's y is its TFLOP/s)."""
    return {ln.get_gid(): (ln.get_ydata()[0], ln.get_ydata()[-1]) for ax in fig.axes for ln in ax.lines
            if (ln.get_gid() or "").startswith("roof-")}


def diagonal_gbps(fig, kind):
    ln = next(ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == f"roof-{kind}-memory")
    return ln.get_ydata()[0] * 1e3 / ln.get_xdata()[0]


def legend_texts(fig):
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()]


def draw_files(paths, **kw):
    import dlbench_results
    targets = dlbench_results.read_targets(kw.pop("target")) if "target" in kw else []
    fig, notes = roofline.draw(dlbench_results.load(paths), targets=targets, **kw)
    return fig, notes


def test_one_measured_ceiling_per_precision_from_rows_of_two_targets(run_tool, tmp_path):
    fig, notes = draw_files(H200)
    roofs = drawn(fig)
    measured = sorted(k for k in roofs if k.startswith("roof-measured-"))
    # One line per precision and one diagonal, though the rows carry two values for each (run1 and run2).
    assert measured == ["roof-measured-bf16", "roof-measured-fp16", "roof-measured-fp32",
                        "roof-measured-fp8e4m3", "roof-measured-memory", "roof-measured-tf32"]
    assert roofs["roof-measured-bf16"][0] == pytest.approx(713.3)  # the highest: rows carry no date
    assert roofs["roof-measured-fp32"][0] == pytest.approx(54.4)
    assert diagonal_gbps(fig, "measured") == pytest.approx(4255)
    text = "\n".join(notes)
    assert "measured bf16: drew 713.3 TFLOP/s (the highest: rows carry no date); ignored 695 (4 rows: " \
           "h200_gemm_run1.csv)" in text
    assert "measured memory: drew 4255 GB/s" in text and "ignored 4253 (7 rows: h200_gemm_run1.csv)" in text
    # The rings follow the drawn roofs: run1's rows over 695/358/53.46 but under the final roofs lose theirs, the
    # fp8 row over the final 1308 (placed against the spec only) gets one.
    assert "3 rows flagged above_roof by their files are under the drawn roofs" in text
    assert "1 row not flagged above_roof is above the drawn roofs" in text
    assert "above a roof (14 cases)" in legend_texts(fig)
    rc, _, err = run_tool(roofline.main, H200 + ["--out", tmp_path / "h200"])
    assert rc == 0 and "ignored 695" in err
    assert marks(groups(str(tmp_path / "h200.svg"))["above-roof"]) == 14


def test_target_file_roofs_replace_the_rows(run_tool, tmp_path):
    fig, notes = draw_files(H200, target=[H200_TARGET_RUN1])
    roofs = drawn(fig)
    assert roofs["roof-measured-bf16"][0] == pytest.approx(695)   # the file's, not the rows' highest
    assert roofs["roof-measured-tf32"][0] == pytest.approx(358)
    assert diagonal_gbps(fig, "measured") == pytest.approx(4253)
    assert "roof-measured-fp8e4m3" not in roofs  # the first target had no fp8 figure
    assert roofs["roof-spec-bf16/fp16"][0] == pytest.approx(989.4)  # spec still from the rows
    text = "\n".join(notes)
    assert "h200_target_run1.csv has no measured fp8e4m3 figure: none drawn" in text
    assert "measured bf16: drew 695 TFLOP/s (from h200_target_run1.csv); ignored 713.3 (14 rows: " \
           "h200_gemm_run2.csv)" in text
    # Against 695: run1's 4 flagged rows, run2's 12 bf16 prefill rows and its fp32 row (54 > 53.46).
    assert "above a roof (17 cases)" in legend_texts(fig)

    # Two files for one id and source: the last wins, said on stderr; the chart uses it.
    rc, _, err = run_tool(roofline.main, H200 + ["--target", H200_TARGET_RUN1, "--target", H200_TARGET,
                                                 "--out", tmp_path / "t"])
    assert rc == 0, err
    assert "measured figures from h200_target.csv line 4, not h200_target_run1.csv line 4" in err
    fig, _ = draw_files(H200, target=[H200_TARGET_RUN1, H200_TARGET])
    assert drawn(fig)["roof-measured-bf16"][0] == pytest.approx(713.3)
    assert drawn(fig)["roof-measured-fp8e4m3"][0] == pytest.approx(1308)


def test_target_file_with_spec_figures_and_unused_ids(run_tool, tmp_path):
    spec = tmp_path / "specs.csv"
    spec.write_text("# a spec row, as in bench/target/specs.csv\n"
                    "id,name,match,kind,source,units,clock_mhz,fp64,fp32,tf32,fp16,bf16,fp8,int8,memory_gbps,l2_mb,"
                    "link_gbps,citation\n"
                    "nvidia-h200-sxm-141gb,H200,pci:10de:2335,gpu,spec,132,1830,,67,495,1000,1000,2000,2000,4900,,"
                    "450,\"datasheet, rounded\"\n"
                    "nvidia-b200,B200,pci:10de:2901,gpu,spec,148,,,,,,,,,8000,,,x\n")
    fig, notes = draw_files(H200, target=[str(spec)])
    roofs = drawn(fig)
    assert roofs["roof-spec-bf16/fp16"][0] == pytest.approx(1000)
    assert roofs["roof-measured-bf16"][0] == pytest.approx(713.3)  # measured still from the rows
    assert diagonal_gbps(fig, "spec") == pytest.approx(4900)
    assert any("--target" in n and "nvidia-b200 is the target of no row: not used" in n for n in notes)


@pytest.mark.parametrize("text, message", [
    ("id,name\nx,y\n", "lacks source"),
    ("# only comments\n", "no header row"),
    ("id,source,fp32\nx,measured,fast\n", "line 2: fp32 'fast' is not a number"),
    ("# c\nid,source,fp32\nx,guessed,1\n", "line 3: source 'guessed' is not spec or measured"),
    ("id,source,fp32\nx,measured\n", "line 2: 2 fields, the header has 3"),
])
def test_bad_target_files(run_tool, tmp_path, text, message):
    bad = tmp_path / "bad_target.csv"
    bad.write_text(text)
    rc, _, err = run_tool(roofline.main, H200 + ["--target", bad, "--out", tmp_path / "x"])
    assert rc == 2 and "bad_target.csv" in err and message in err, err
    rc, _, err = run_tool(roofline.main, H200 + ["--target", tmp_path / "none.csv", "--out", tmp_path / "x"])
    assert rc == 2 and "none.csv: cannot read" in err


def label_groups(svg_path):
    root = ET.parse(svg_path).getroot()
    return [g for g in root.iter(SVG + "g") if g.get("id", "").startswith("above-label")]


def test_no_point_labels_by_default(tmp_path):
    out = tmp_path / "plain"
    assert roofline.main(H200 + ["--out", str(out)]) == 0
    assert marks(groups(str(out) + ".svg")["above-roof"]) == 14  # every ring drawn...
    assert label_groups(str(out) + ".svg") == []                   # ...none named


def test_label_above_names_the_highest_without_overlap(tmp_path):
    out = tmp_path / "labelled"
    assert roofline.main(H200 + ["--out", str(out), "--label-above", "3"]) == 0
    assert len(label_groups(str(out) + ".svg")) == 3

    fig, notes = draw_files(H200, label_above=3)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("above-label")]
    # The three furthest over the drawn roof: run2's 769, 764 and 759 TFLOP/s bf16 rows (107.8, 107.1, 106.4 %).
    assert [t.get_text() for t in labels] == ["gemm bf16 mlp_down/prefill_t2048 108 %",
                                              "gemm bf16 mlp_up/prefill_t2048 107 %",
                                              "gemm bf16 attn_out/prefill_t2048 106 %"]
    assert all(t.get_fontsize() < 7 for t in labels)
    others = [t for t in ax.texts if t not in labels and t.get_text()]
    boxes = [roofline.text_box(t, renderer) for t in labels]
    frame = ax.get_window_extent(renderer)
    for i, b in enumerate(boxes):
        assert frame.x0 < b.x0 and b.x1 < frame.x1 and frame.y0 < b.y0 and b.y1 < frame.y1
        assert not any(b.overlaps(o) for o in boxes[i + 1:])
        assert not any(b.overlaps(roofline.text_box(o, renderer)) for o in others), labels[i].get_text()
    assert not any("--label-above" in n for n in notes)


def test_ceiling_labels_do_not_overlap_and_axis_says_tflops(tmp_path):
    fig, _ = draw_files(H200 + [fixture("gpu_gemm.csv")], target=[H200_TARGET])
    for ax in fig.axes:
        renderer = fig.canvas.get_renderer()
        labels = [t for t in ax.texts if (t.get_gid() or "").startswith("ceiling-label")]
        assert labels
        boxes = [roofline.text_box(t, renderer) for t in labels]
        for i, b in enumerate(boxes):
            assert not any(b.overlaps(o) for o in boxes[i + 1:]), labels[i].get_text()
        assert ax.get_ylabel() == "TFLOP/s (int8: TOPS)"
        assert ax.get_xlabel() == "arithmetic intensity (FLOP/byte)"


H200_RESULTS = os.path.join(REPO, "results", "h200-sxm-141gb", "roofline")


@pytest.mark.skipif(not os.path.exists(os.path.join(H200_RESULTS, "target.csv")),
                    reason="no published H200 roofline results")
def test_published_h200_results(run_tool, tmp_path):
    paths = [os.path.join(H200_RESULTS, f) for f in ("peak.csv", "gemm.csv")]
    rc, _, err = run_tool(roofline.main, paths + ["--target", os.path.join(H200_RESULTS, "target.csv"),
                                                  "--out", tmp_path / "h200"])
    assert rc == 0, err
    g = groups(str(tmp_path / "h200.svg"))
    assert sum(marks(v) for k, v in g.items() if k.startswith("points-")) == ok_flop_rows(paths) - \
        err.count("without a positive, finite intensity")
    measured = [k for k in g if k.startswith("roof-measured-")]
    precisions = [p for k in measured for p in k[len("roof-measured-"):].split("/") if k != "roof-measured-memory"]
    assert len(precisions) == len(set(precisions))  # one measured ceiling per precision
    assert label_groups(str(tmp_path / "h200.svg")) == []
    flagged = 0
    for p in paths:
        with open(p, newline="") as f:
            flagged += sum(1 for r in csv.DictReader(f) if r["status"] == "ok" and r["above_roof"])
    assert marks(g["above-roof"]) == flagged  # drawn against its own target: the files' verdicts
