"""Tests of tools/report.py: the page is self-contained (no http(s) resource, no external script or style), holds
the tables it should, marks failed rows; and, in Debian's chromium (headless), it renders: its inline script finds
every table and chart it was written with, and a screenshot is not blank.

The browser tests skip when chromium is missing, unless DLBENCH_REQUIRE_BROWSER=1 (CI, through ctest's
python_tools test): then they fail, since tools/setup.sh should have installed it.
"""

from __future__ import annotations

import html
import html.parser
import os
import re
import shutil
import subprocess

import pytest

import report
from conftest import CPU_RUN, GPU_RUN, fixture

ALL = CPU_RUN + GPU_RUN + [fixture("cpu2_gemm.csv")]


class Page(html.parser.HTMLParser):
    """What the tests look at in the HTML: every tag with its attributes, table classes, body attributes."""

    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.body = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "body":
            self.body = a

    def count(self, tag):
        return sum(1 for t, _ in self.tags if t == tag)


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert report.main(ALL + ["--out", str(path), "--title", "fixture run"]) == 0
    return path


def test_self_contained(page_path):
    text = page_path.read_text(encoding="utf-8")
    page = Page(text)
    for tag, attrs in page.tags:
        for name in ("src", "href", "data", "action", "poster", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:", "file:")), (tag, name, value[:80])
        assert not (tag == "script" and attrs.get("src")), "external script"
        assert not (tag == "link" and "stylesheet" in (attrs.get("rel") or "")), "external stylesheet"
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    images = [a for t, a in page.tags if t == "img"]
    assert images and all(a["src"].startswith("data:image/svg+xml;base64,") for a in images)


def test_contents(page_path):
    text = page_path.read_text(encoding="utf-8")
    page = Page(text)
    assert page.body["data-expected-tables"] == str(page.count("table"))
    assert page.body["data-expected-charts"] == str(page.count("img")) == "3"  # Xeon, H100, EPYC
    classes = [a.get("class", "") for t, a in page.tags if t == "table"]
    for kernel in ("gemm", "conv", "rnn", "allreduce"):
        assert f"cases kernel-{kernel}" in classes
    assert "files" in classes and "geomeans" in classes and "comparison" in classes
    assert "<title>fixture run</title>" in text
    assert "<b>32</b> rows" in text and '<b class="bad">1</b> failed' in text
    # The failed row: marked, its status in capitals, its reason shown.
    failed = re.findall(r'<tr class="failed">.*?</tr>', text, re.S)
    assert len(failed) == 2  # the case table and the comparison
    assert "FAILED" in failed[0] and "wrong results: 3 of 4096 elements" in failed[0]
    assert len(re.findall(r'<tr class="skipped">', text)) == 1
    assert "148 ▲ spec+measured" in text  # Winograd above both roofs
    # Several devices: compared by device, the convention stated.
    assert "ratio = run / baseline (tflops): above 1 = faster than the baseline" in text
    assert "baseline <b>cpu-intel-xeon-processor-2c</b>" in text
    for column in report.CASE_COLUMNS:
        assert f">{column}</th>" in text


def test_one_file_no_comparison_and_old_format(tmp_path):
    out = tmp_path / "old.html"
    assert report.main([fixture("old_gemm.csv"), "--out", str(out)]) == 0
    text = out.read_text()
    assert "id=comparison" not in text and "no roof known" in text
    page = Page(text)
    assert page.body["data-expected-tables"] == "2" and page.body["data-expected-charts"] == "1"


def test_runs_without_a_shared_case_get_a_note(tmp_path):
    out = tmp_path / "cpu.html"
    assert report.main(CPU_RUN + ["--out", str(out)]) == 0
    text = out.read_text()
    assert "No comparison: the runs (by file" in text and "share no case" in text


def test_two_versions_compared_by_file(tmp_path):
    out = tmp_path / "versions.html"
    assert report.main([fixture("old_gemm.csv"), fixture("cpu_gemm.csv"), "--out", str(out)]) == 0
    text = out.read_text()
    assert "Runs by file; baseline <b>old_gemm</b>" in text
    assert "cpu_gemm against old_gemm: 3 matched" in text


def test_bad_input(run_tool, tmp_path):
    rc, _, err = run_tool(report.main, [tmp_path / "nope.csv", "--out", tmp_path / "r.html"])
    assert rc == 2 and "nope.csv: cannot read" in err and not (tmp_path / "r.html").exists()


# ------------------------------------------------------------------------------------------------- browser

def chromium():
    """The headless browser, or skip (fail under DLBENCH_REQUIRE_BROWSER=1)."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    message = "chromium not found: tools/setup.sh installs Debian's chromium"
    if os.environ.get("DLBENCH_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (DLBENCH_REQUIRE_BROWSER=1)")
    pytest.skip(message + "; set DLBENCH_REQUIRE_BROWSER=1 to fail instead")


def browse(tmp_path, html_path, *args):
    """Runs headless chromium on the page with `args`; returns its stdout."""
    home = tmp_path / "chromium-home"
    home.mkdir(exist_ok=True)
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={home}", "--virtual-time-budget=5000", *args, f"file://{html_path}"]
    env = dict(os.environ, HOME=str(home))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def rendered(dom: str) -> dict:
    body = re.search(r"<body([^>]*)>", dom)
    assert body, "no <body> in the dumped DOM"
    return dict(re.findall(r'(data-[\w-]+)="([^"]*)"', body.group(1)))


def test_browser_renders_every_table_and_chart(tmp_path, page_path):
    counts = rendered(browse(tmp_path, page_path, "--dump-dom"))
    assert counts.get("data-rendered") == "yes", f"the page's script did not run: {counts}"
    assert counts["data-tables"] == counts["data-expected-tables"]
    assert counts["data-charts"] == counts["data-expected-charts"] == "3"
    assert counts["data-failed-rows"] == "2"


def test_browser_check_catches_a_broken_chart(tmp_path, page_path):
    text = page_path.read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(text.replace("data:image/svg+xml;base64,", "data:image/svg+xml;base64,AAAA", 1),
                      encoding="utf-8")
    counts = rendered(browse(tmp_path, broken, "--dump-dom"))
    assert counts.get("data-rendered") == "yes"
    assert int(counts["data-charts"]) == int(counts["data-expected-charts"]) - 1


def test_browser_screenshot_is_not_blank(tmp_path, page_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    browse(tmp_path, page_path, "--hide-scrollbars", "--window-size=1280,1600", f"--screenshot={shot}")
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 1600)
    small = image.resize((320, 400))
    pixels = list(small.getdata())
    inked = sum(1 for p in pixels if min(p) < 200) / len(pixels)
    assert inked > 0.02, f"screenshot nearly blank ({inked:.1%} inked)"
    assert len(set(pixels)) > 50, "screenshot has hardly any colours"
    # The chart's points are coloured (tab10 blue, orange, green) and it sits in the first screenful.
    assert any(abs(r - 31) < 30 and abs(g - 119) < 30 and abs(b - 180) < 30 for r, g, b in pixels), "no chart"


# ------------------------------------------------------------------------------------------------- targets

H200 = [fixture("h200_gemm_run1.csv"), fixture("h200_gemm_run2.csv")]


def targets_tables(text):
    """{target id: {ceiling: {column: cell text}}} of the Targets section's tables."""
    section = text[text.index("<h2 id=targets>"):text.index("<h2 id=cases>")]
    out = {}
    for target, body in re.findall(r"<h3 id=target-([^>]+)>.*?(<table class=\"targets\">.*?</table>)", section,
                                   re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        head = [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", rows[0])]
        out[target] = {}
        for r in rows[1:]:
            cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            out[target][cells[0]] = dict(zip(head, cells))
    return out


def test_targets_section_of_the_fixture_run(page_path):
    text = page_path.read_text(encoding="utf-8")
    tables = targets_tables(text)
    assert list(tables) == ["cpu-intel-xeon-processor-2c", "nvidia-h100-sxm5-80gb",
                            "cpu-amd-epyc-9654-96-core-processor-4c"]
    xeon = tables["cpu-intel-xeon-processor-2c"]
    assert list(xeon) == ["fp32", "bf16", "int8", "memory bandwidth", "link bandwidth (per direction)"]
    assert (xeon["fp32"]["spec"], xeon["fp32"]["measured"], xeon["fp32"]["measured from"]) == \
        ("0.2688", "0.25", "rows")
    assert xeon["fp32"]["ok rows"] == "11" and xeon["fp32"]["above a roof"] == "1"  # the Winograd convolution
    assert (xeon["bf16"]["spec"], xeon["bf16"]["measured"]) == ("4.301", "—")
    assert xeon["int8"]["unit"] == "TOPS"
    assert (xeon["memory bandwidth"]["spec"], xeon["memory bandwidth"]["measured"]) == ("40", "12")
    assert xeon["link bandwidth (per direction)"]["spec"] == "20"
    assert tables["nvidia-h100-sxm5-80gb"]["fp16"]["above a roof"] == "1"  # the hot-cache GEMM
    assert "<b class=bad>1</b> of 13 ok rows on the chart above a roof" in text  # Xeon: Winograd


def test_targets_section_from_rows_of_two_targets_and_from_a_target_file(tmp_path):
    out = tmp_path / "h200.html"
    assert report.main(H200 + ["--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    h200 = targets_tables(text)["nvidia-h200-sxm-141gb"]
    assert list(h200) == ["fp32", "tf32", "bf16", "fp16", "fp8e4m3", "memory bandwidth"]
    bf16 = h200["bf16"]
    assert (bf16["spec"], bf16["measured"], bf16["measured % of spec"], bf16["measured from"]) == \
        ("989.4", "713.3", "72.1", "rows")
    assert bf16["note"] == "measured also carried: 695 (4 rows: h200_gemm_run1.csv)"
    assert (bf16["ok rows"], bf16["above a roof"]) == ("18", "13")  # run1's 720 and run2's 12
    assert h200["fp8e4m3"]["above a roof"] == "1"  # run1's 1330 over the 1308 it was never placed against
    assert h200["memory bandwidth"]["measured"] == "4255"
    assert "<b class=bad>14</b> of 27 ok rows on the chart above a roof of this table; 16 flagged" in text
    assert "3 rows flagged above_roof by their files are under the drawn roofs" in text

    out = tmp_path / "h200_run1.html"
    assert report.main(H200 + ["--target", fixture("h200_target_run1.csv"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    h200 = targets_tables(text)["nvidia-h200-sxm-141gb"]
    assert (h200["bf16"]["measured"], h200["bf16"]["measured from"]) == ("695", "h200_target_run1.csv")
    assert h200["bf16"]["note"] == "measured also carried: 713.3 (14 rows: h200_gemm_run2.csv)"
    assert h200["fp8e4m3"]["measured"] == "—"
    assert (h200["bf16"]["above a roof"], h200["fp32"]["above a roof"]) == ("14", "2")
    assert h200["memory bandwidth"]["measured"] == "4253"
    assert "(fixture, first run)" in text  # the target file's citation
    assert "h200_target_run1.csv has no measured fp8e4m3 figure" in text
    page = Page(text)
    assert page.body["data-expected-tables"] == str(page.count("table"))
