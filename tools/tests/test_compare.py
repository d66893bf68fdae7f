"""Tests of tools/compare.py and the loader it stands on (tools/dlbench_results.py), on the fixture CSVs whose
times were chosen for known ratios (tools/tests/fixtures/make_fixtures.py says which)."""

from __future__ import annotations

import csv
import math
import os

import pandas as pd
import pytest

import compare
import dlbench_results
from conftest import CPU_RUN, GPU_RUN, REPO, fixture
from dlbench_results import InputError

BASE, OTHER = fixture("cpu_gemm.csv"), fixture("cpu2_gemm.csv")
SQ = "m2048n2048k2048_nn"


def ratios(comp, run=None):
    """{(precision, table, case): ratio} of the matched cases."""
    m = comp.cases[(comp.cases["match"] == compare.MATCHED) & ((comp.cases["run"] == run) if run else True)]
    return {(r.precision, r.table, r.case): r.ratio for r in m.itertuples()}


# ------------------------------------------------------------------------------------------------------ loader

def test_loader_adds_missing_columns_and_derives_the_case():
    df = dlbench_results.load([fixture("old_gemm.csv"), fixture("cpu_conv.csv")])
    old = df[df["file"].str.endswith("old_gemm.csv")]
    assert old["roofline_pct"].isna().all() and (old["target"] == "").all() and (old["cache"] == "").all()
    assert (old["where"] == old["device"]).all()  # no target: the device names the chart panel
    conv = df[df["kernel"] == "conv"]
    assert list(conv["variant"]) == ["nhwc_fwd", "nhwc_bwd_data", "nhwc_fwd_winograd"]
    assert conv["case"].iloc[0] == "resnet50/conv2_x/training_b32/nhwc_fwd"
    assert list(dlbench_results.above_roof(conv)) == [False, False, True]


def test_loader_derives_rates_and_roofs_a_file_left_empty(tmp_path):
    rows = list(csv.DictReader(open(BASE, newline="")))
    for c in ("tflops", "gbps", "intensity", "roof_tflops", "roofline_pct", "ridge", "bound"):
        for r in rows:
            r[c] = ""
    path = tmp_path / "stripped.csv"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    full, stripped = dlbench_results.load(BASE), dlbench_results.load(str(path))
    for c in ("tflops", "gbps", "intensity", "roof_tflops", "roofline_pct", "ridge"):
        pd.testing.assert_series_equal(full[c], stripped[c], check_names=False, rtol=1e-9)
    assert list(full["bound"]) == list(stripped["bound"])


def test_loader_reads_the_published_results():
    folder = os.path.join(REPO, "results", "cpu-xeon-amx-2vcpu")
    paths = [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".csv")]
    results = [p for p in paths if "kernel" in open(p).readline().split(",")]
    assert len(results) >= 8
    df = dlbench_results.load(results)
    assert set(df["kernel"]) == {"gemm", "conv", "rnn", "allreduce"}
    assert df.loc[df["kernel"] == "allreduce", "bound"].eq("link").all()
    with pytest.raises(InputError, match="fidelity.csv: missing columns kernel"):
        dlbench_results.load(os.path.join(folder, "fidelity.csv"))


# ----------------------------------------------------------------------------------------------------- ratios

def test_ratios_against_the_first_file():
    comp = compare.compare(dlbench_results.load([BASE, OTHER]))
    assert [r.label for r in comp.runs] == ["cpu_gemm", "cpu2_gemm"]
    got = ratios(comp)
    assert got.keys() == {("fp32", "cli", SQ), ("fp32", "smoke", "smoke/square_nn/m64n64k64"),
                          ("fp32", "smoke", "smoke/square_tn/m128n128k128"), ("bf16", "cli", SQ)}
    assert got[("fp32", "cli", SQ)] == pytest.approx(2.0)  # median of 80, 76, 78 ms = 78 against 39
    assert got[("fp32", "smoke", "smoke/square_nn/m64n64k64")] == pytest.approx(2.0)
    assert got[("fp32", "smoke", "smoke/square_tn/m128n128k128")] == pytest.approx(8.0)
    assert got[("bf16", "cli", SQ)] == pytest.approx(0.5)
    three = comp.cases[(comp.cases["case"] == SQ) & (comp.cases["precision"] == "fp32")].iloc[0]
    assert three["baseline_rows"] == 3 and three["baseline_value"] == pytest.approx(2 * 2048 ** 3 / 78e-3 / 1e12)


@pytest.mark.parametrize("metric", ["tflops", "gbps", "time_ms"])
def test_ratio_above_one_means_faster_for_every_metric(metric):
    comp = compare.compare(dlbench_results.load([BASE, OTHER]), metric=metric)
    assert ratios(comp)[("fp32", "smoke", "smoke/square_tn/m128n128k128")] == pytest.approx(8.0)
    assert ratios(comp)[("bf16", "cli", SQ)] == pytest.approx(0.5)
    assert "above 1 = faster than the baseline" in comp.convention
    assert ("baseline / run" in comp.convention) == (metric == "time_ms")


def test_geometric_means_per_kernel_table_precision():
    gm = compare.compare(dlbench_results.load([BASE, OTHER])).geomeans
    by = {(g.kernel, g.table, g.precision): g for g in gm.itertuples()}
    assert by[("gemm", "smoke", "fp32")].geomean == pytest.approx(4.0)  # sqrt(2 * 8)
    assert by[("gemm", "smoke", "fp32")].cases == 2
    assert by[("gemm", "cli", "fp32")].geomean == pytest.approx(2.0)
    assert by[("gemm", "cli", "bf16")].geomean == pytest.approx(0.5)
    assert by[("all", "", "")].geomean == pytest.approx(2.0)  # (2 * 2 * 8 * 0.5) ** (1/4)
    assert compare.geomean([2, 8]) == pytest.approx(4.0) and math.isnan(compare.geomean([]))


def test_unmatched_cases_are_counted_and_listed():
    comp = compare.compare(dlbench_results.load([BASE, OTHER]))
    counts = comp.unmatched_counts().loc["cpu2_gemm"]
    assert dict(counts) == {"matched": 4, "only_baseline": 1, "only_run": 1, "not_ok_both": 0,
                            "not_ok_baseline": 1, "not_ok_run": 1, "no_value": 0}
    by = {r.match: r for r in comp.cases.itertuples()}
    assert by["only_baseline"].case == "smoke/odd_tn/m33n67k129"
    assert by["only_run"].case == "smoke/tall_nt/m4096n16k64"
    assert by["not_ok_baseline"].precision == "int8" and by["not_ok_baseline"].note.startswith("skipped: ")
    assert by["not_ok_run"].precision == "bf16" and by["not_ok_run"].note.startswith("failed: wrong results")
    text = compare.render(comp)
    for words in ("only in cpu_gemm: gemm fp32 smoke smoke/odd_tn/m33n67k129",
                  "only in cpu2_gemm: gemm fp32 smoke smoke/tall_nt/m4096n16k64",
                  "not ok in cpu_gemm: gemm int8", "not ok in cpu2_gemm: gemm bf16", "4 matched"):
        assert words in text


def test_devices_match_on_the_problem_not_the_backend():
    df = dlbench_results.load(CPU_RUN + GPU_RUN)
    comp = compare.compare(df, by="device")
    assert [r.label for r in comp.runs] == ["cpu-intel-xeon-processor-2c", "nvidia-h100-sxm5-80gb"]
    got = ratios(comp)
    assert got[("fp32", "cli", SQ)] == pytest.approx(78 / 0.3)  # onednn against cublas
    assert got[("fp32", "resnet50", "resnet50/conv2_x/training_b32/nhwc_fwd")] == pytest.approx(40 / 0.2)
    assert len(got) == 4
    assert any("hot on one side and cold" in n for n in comp.notes)
    backend = compare.compare(dlbench_results.load([BASE, fixture("gpu_gemm.csv")]), by="backend")
    assert [r.label for r in backend.runs] == ["onednn", "cublas"]
    assert ratios(backend)[("fp32", "cli", SQ)] == pytest.approx(78 / 0.3)


def test_several_backends_in_one_run_join_the_key(tmp_path):
    rows = list(csv.DictReader(open(BASE, newline="")))
    for r in list(rows):
        if r["status"] == "ok":
            ref = dict(r, backend="ref", name=r["name"].replace("/onednn/", "/ref/"),
                       time_ms=str(float(r["time_ms"]) * 10), tflops=str(float(r["tflops"]) / 10))
            rows.append(ref)
    path = tmp_path / "two_backends.csv"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    copy = tmp_path / "two_backends_again.csv"
    copy.write_bytes(path.read_bytes())
    comp = compare.compare(dlbench_results.load([str(path), str(copy)]), labels=["a", "b"])
    assert "backend" in comp.key and any("backend" in n for n in comp.notes)
    m = comp.cases[comp.cases["match"] == compare.MATCHED]
    assert len(m) == 12 and set(m["backend"]) == {"onednn", "ref"}  # 6 ok cases (one timed 3 times) x 2
    assert m["ratio"].tolist() == pytest.approx([1.0] * 12)


def test_old_format_without_roofline_columns():
    df = dlbench_results.load([fixture("old_gemm.csv"), BASE])
    comp = compare.compare(df)
    assert ratios(comp)[("fp32", "cli", SQ)] == pytest.approx(2.0)  # 156 ms -> 78 ms
    pct = compare.compare(df, metric="roofline_pct")
    assert not ratios(pct)
    assert (pct.cases["match"] == "no_value").sum() == 3
    assert any("old_gemm: no roofline_pct values" in n for n in pct.notes)


# -------------------------------------------------------------------------------------------------------- CLI

def test_cli_prints_the_table_and_writes_csv(run_tool, tmp_path):
    out_csv = tmp_path / "ratios.csv"
    rc, out, err = run_tool(compare.main, [BASE, OTHER, "--labels", "xeon,epyc", "--out", out_csv])
    assert rc == 0, err
    assert "ratio = run / baseline (tflops): above 1 = faster than the baseline" in out
    assert "xeon (baseline)" in out
    header = next(line for line in out.splitlines() if line.startswith("kernel  precision"))
    assert header.split() == ["kernel", "precision", "table", "case", "xeon", "epyc", "ratio"]
    square_tn = next(line for line in out.splitlines() if "square_tn" in line)
    assert square_tn.split()[-1] == "8"
    assert "skipped" in out and "failed" in out and "absent" in out
    rows = list(csv.DictReader(open(out_csv)))
    assert len(rows) == 8
    assert {r["match"] for r in rows} == {"matched", "only_baseline", "only_run", "not_ok_baseline", "not_ok_run"}
    assert {r["run"] for r in rows} == {"epyc"} and {r["baseline"] for r in rows} == {"xeon"}
    assert float(next(r for r in rows if "square_tn" in r["case"])["ratio"]) == pytest.approx(8.0)


def test_cli_three_runs(run_tool):
    rc, out, _ = run_tool(compare.main, [BASE, OTHER, fixture("old_gemm.csv"), "--metric", "time_ms"])
    assert rc == 0
    assert "ratio cpu2_gemm" in out and "ratio old_gemm" in out
    assert "old_gemm against cpu_gemm: 3 matched" in out


def test_cli_no_match_exits_1(run_tool):
    rc, out, err = run_tool(compare.main, [BASE, fixture("cpu_conv.csv")])
    assert rc == 1 and "no case matched" in err
    assert "0 matched" in out


@pytest.mark.parametrize("make, args, words", [
    (None, ["missing.csv"], "missing.csv: cannot read"),
    ("no_status", [], "no_status.csv: missing column status"),
    ("bad_status", [], "bad_status.csv line 3: status 'weird' is not one of ok|skipped|failed"),
    ("empty", [], "empty.csv: empty file"),
    (None, ["--labels", "a,b,c"], "--labels gives 3 labels for 2 runs"),
    (None, ["--by", "device", "--labels", "a"], "--labels gives 1 label for 2 runs"),
])
def test_cli_bad_input_exits_2_naming_the_problem(run_tool, tmp_path, make, args, words):
    files = [BASE, OTHER]
    if make:
        text = open(OTHER, newline="").read()
        lines = text.split("\r\n")
        if make == "no_status":
            header = lines[0].split(",")
            i = header.index("status")
            rows = list(csv.reader(lines[:-1]))
            text = "\r\n".join(",".join(f'"{c}"' for j, c in enumerate(r) if j != i) for r in rows) + "\r\n"
        elif make == "bad_status":
            text = text.replace(",ok,", ",weird,", 2).replace(",weird,", ",ok,", 1)
        else:
            text = ""
        bad = tmp_path / f"{make}.csv"
        bad.write_text(text)
        files = [BASE, str(bad)]
    if args and args[0] == "missing.csv":
        files, args = [BASE, str(tmp_path / "missing.csv")], []
    rc, out, err = run_tool(compare.main, files + args)
    assert rc == 2, (out, err)
    assert words in err
    assert out == ""


def test_cli_needs_two_runs(run_tool):
    rc, _, err = run_tool(compare.main, [BASE])
    assert rc == 2 and "need two or more runs" in err
    rc, _, err = run_tool(compare.main, [BASE, OTHER, "--metric", "flops"])
    assert rc == 2 and "invalid choice" in err


def test_cli_help(run_tool):
    rc, out, _ = run_tool(compare.main, ["--help"])
    assert rc == 0 and "--by" in out and "faster than the baseline" in out
