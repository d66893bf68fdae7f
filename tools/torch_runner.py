"""What the PyTorch comparison tools (torch_gemm.py, torch_conv.py, torch_rnn.py) share around the measurement: the
timing flags with dlbench's names and defaults, list flags checked against their valid values, --problems-from, and
the run loop: cases in order, each row written to --csv as the case ends (RFC 4180, CRLF, the tool's columns), a
skipped row for what the tool cannot time and for every case after --time-budget runs out, one failing case becoming
its row rather than the end of the run, a closing table and summary, and the exit status (1 when a case failed).
The measurement itself is torch_timing.py's.
"""

from __future__ import annotations

import csv
import os
import time

from dlbench_tables import InputError, format_number, read_csv_rows, split_list
from torch_timing import import_torch


def add_timing_args(ap, bench):
    """The flags every tool shares, with the same names and defaults (dlbench's, in Python's spelling); `bench` is
    the dlbench binary the tool mirrors, named in the help."""
    ap.add_argument("--cache", choices=("cold", "hot", "auto"), default="auto",
                    help="cold: L2 flushed before each sample, one call per event pair; hot: CUDA graph of calls "
                         f"per event pair; auto = cold, as {bench} on a GPU [default: %(default)s]")
    ap.add_argument("--warmup", type=float, default=0.1, help="seconds of untimed calls (>= 3 calls) [%(default)s]")
    ap.add_argument("--sample-time", type=float, default=0.005, help="hot: seconds per sample [%(default)s]")
    ap.add_argument("--min-samples", type=int, default=10, help="samples at least [%(default)s]")
    ap.add_argument("--min-time", type=float, default=0.5, help="measured seconds per case at least [%(default)s]")
    ap.add_argument("--max-time", type=float, default=5.0,
                    help="seconds of sampling per case at most, noise target met or not [%(default)s]")
    ap.add_argument("--noise", type=float, default=0.5, help="target CoV of the samples, percent [%(default)s]")
    ap.add_argument("--time-budget", type=float, default=0.0,
                    help="seconds for the whole run; cases not started by then are written as skipped (0 = none)")
    ap.add_argument("--verify-samples", type=int, default=32, help="output elements checked per case [%(default)s]")


def add_run_args(ap):
    ap.add_argument("--device", type=int, default=0, help="CUDA device index [%(default)s]")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random inputs [%(default)s]")
    ap.add_argument("--csv", metavar="FILE", help="write one row per case, as each case finishes")
    ap.add_argument("--dry-run", action="store_true", help="print the cases and static skip reasons; no PyTorch")


def check_timing_args(ap, args):
    if args.cache == "auto":
        args.cache = "cold"
    for name in ("warmup", "sample_time", "min_time", "max_time", "noise", "time_budget"):
        if getattr(args, name) < 0:
            ap.error(f"--{name.replace('_', '-')} must not be negative")
    if args.min_samples < 1 or args.verify_samples < 1:
        ap.error("--min-samples and --verify-samples must be at least 1")


def checked_list(text, flag, valid):
    """A comma-separated flag value whose items must each be one of `valid`."""
    items = split_list([text])
    for item in items:
        if item not in valid:
            raise InputError(f"--{flag}: unknown value '{item}' (valid: {', '.join(valid)})")
    if not items:
        raise InputError(f"--{flag}: empty list")
    return items


def ok_problems(paths):
    """The problem names of the ok rows of these CSVs."""
    names = set()
    for path in paths or []:
        if not os.path.isfile(path):
            raise InputError(f"--problems-from: no such file '{path}'")
        rows, _ = read_csv_rows(path)
        if rows and "problem" not in rows[0]:
            raise InputError(f"--problems-from: {path} has no 'problem' column")
        names.update(r["problem"] for r in rows if r.get("status") == "ok")
    return names


def with_named_precisions(shapes, precisions, order):
    """--precisions, plus each precision a --problem names (it runs in that one whatever the flag says), in the
    order of `order` (dlbench's precision order)."""
    extra = {s.precision for s in shapes if s.precision and s.precision not in precisions}
    return list(precisions) + sorted(extra, key=order.index)


def run_cases(tool, cases, args, t_start):
    """The run loop every tool shares. `tool` says per case: title(case), base_row(case), static_skip(case),
    ok_line(row); and make_runner(torch) returning a Timer subclass with run_case(case) -> (status, reason,
    result). Rows go to --csv as each case ends. Returns the exit status: 1 when some case failed."""
    torch = import_torch(tool.prog)
    runner = tool.make_runner(torch)
    versions = runner.versions()
    print(f"{runner.banner()}, {len(cases)} cases", flush=True)

    out = open(args.csv, "w", newline="", encoding="utf-8") if args.csv else None
    writer = csv.DictWriter(out, fieldnames=tool.columns, lineterminator="\r\n") if out else None
    if writer:
        writer.writeheader()
        out.flush()
    rows, failed = [], 0
    try:
        for index, case in enumerate(cases, start=1):
            row = tool.base_row(case)
            row.update(versions)
            why = tool.static_skip(case)
            if why is None and args.time_budget > 0 and time.perf_counter() - t_start > args.time_budget:
                why = f"time budget exhausted (--time-budget={format_number(args.time_budget)})"
            if why is not None:
                status, reason, result = "skipped", why, {}
            else:
                print(f"[{index}/{len(cases)}] {tool.title(case)}", flush=True)
                status, reason, result = runner.run_case(case)
            row.update(result)
            row["status"], row["reason"] = status, reason
            failed += status == "failed"
            if status == "ok":
                print(f"    ok: {tool.ok_line(row)}", flush=True)
            elif why is None:
                print(f"    {status}: {reason}", flush=True)
            rows.append(row)
            if writer:
                writer.writerow(row)
                out.flush()
    finally:
        if out:
            out.close()
    tool.print_table(rows)
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"\n{ok} ok, {sum(r['status'] == 'skipped' for r in rows)} skipped, {failed} failed "
          f"in {time.perf_counter() - t_start:.1f} s")
    return 1 if failed else 0


def ok_line(row):
    """The progress line of an ok case: rate, median time, noise, samples."""
    return (f"{float(row['tflops']):.4g} TFLOP/s, {float(row['time_ms']):.4g} ms, CoV {float(row['cov_pct']):.2f} %, "
            f"{row['samples']} samples")


def print_table(rows, key_width=44):
    """The closing table: one line per case, `precision table/label`, then its figures or its status."""
    print(f"\n{'precision':<9} {'table/label':<{key_width}} {'TFLOP/s':>9} {'ms':>10} {'CoV%':>6} {'n':>6}  status")
    for r in rows:
        name = f"{r['table']}/{r['label']}"
        for extra in ("layout", "direction", "pass"):  # the conv and RNN tools run several cases per row
            if r.get(extra):
                name += f" {r[extra]}"
        name = name if len(name) <= key_width else "…" + name[-(key_width - 1):]
        if r["status"] == "ok":
            print(f"{r['precision']:<9} {name:<{key_width}} {float(r['tflops']):9.4g} {float(r['time_ms']):10.4g} "
                  f"{float(r['cov_pct']):6.2f} {r['samples']:>6}  ok")
        else:
            print(f"{r['precision']:<9} {name:<{key_width}} {'':>9} {'':>10} {'':>6} {'':>6}  "
                  f"{r['status']}: {r['reason']}")
