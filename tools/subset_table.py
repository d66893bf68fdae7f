#!/usr/bin/env python3
"""subset_table.py: write a subset of a dlbench shape table, for a timed session that cannot afford all of it (tools/
gpu_conv_rnn_run.sh). The kept rows are copied verbatim, under the header, into OUT_DIR/<same file name>, so the
table's name and the rows' labels, and with them the case names, stay those of the original. Standard library only.

  tools/subset_table.py shapes/conv/resnet50.csv /tmp/p1 --where phase=training --distinct n,c,h,w,k,r,s --limit 12
  tools/subset_table.py shapes/rnn/gnmt.csv /tmp/p2 --where cell=lstm|gru --limit 4

--where COLUMN=V1|V2 keeps the rows whose field is one of the values (repeatable: all must hold); --distinct COLUMNS
keeps the first row of each distinct combination of those fields (a network repeats its layer shapes; timing a shape
twice teaches nothing); --limit N keeps the first N rows left. The source is parsed as dlbench parses tables first,
so a subset of a malformed table is refused with the same file:line:field message. Prints how many rows were kept.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dlbench_tables import InputError, parse_table_text  # noqa: E402


def subset(text, source, where, distinct, limit):
    """(header line, kept data lines) of a table's text."""
    table = parse_table_text(text, source, os.path.splitext(os.path.basename(source))[0])
    for column, _ in where:
        if column not in table.columns:
            raise InputError(f"--where: {source} has no column '{column}' (columns: {', '.join(table.columns)})")
    for column in distinct:
        if column not in table.columns:
            raise InputError(f"--distinct: {source} has no column '{column}' (columns: {', '.join(table.columns)})")
    lines = text.split("\n")
    header = lines[table.header_line - 1].strip(" \t\r")
    kept, seen = [], set()
    for row in table.rows:
        if not all(row.fields[column] in values for column, values in where):
            continue
        key = tuple(row.fields[c] for c in distinct)
        if distinct and key in seen:
            continue
        seen.add(key)
        kept.append(lines[row.line - 1].strip(" \t\r"))
        if limit and len(kept) >= limit:
            break
    return header, kept


def parse_where(items):
    out = []
    for item in items or []:
        column, sep, values = item.partition("=")
        if not sep or not column or not values:
            raise InputError(f"--where: '{item}': expected COLUMN=VALUE[|VALUE...]")
        out.append((column, set(values.split("|"))))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="subset_table.py", formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("table", help="a shape table (CSV)")
    ap.add_argument("out_dir", help="where the subset is written, under the table's own file name")
    ap.add_argument("--where", action="append", metavar="COLUMN=V1|V2", help="keep rows with one of these values")
    ap.add_argument("--distinct", default="", metavar="COLUMNS", help="keep the first row of each combination")
    ap.add_argument("--limit", type=int, default=0, help="keep at most this many rows (0: all)")
    args = ap.parse_args(argv)
    try:
        if args.limit < 0:
            raise InputError("--limit must not be negative")
        with open(args.table, encoding="utf-8", newline="") as f:
            text = f.read()
        header, kept = subset(text, args.table, parse_where(args.where),
                              [c for c in args.distinct.split(",") if c], args.limit)
        if not kept:
            raise InputError(f"{args.table}: no row left after --where/--distinct/--limit")
        os.makedirs(args.out_dir, exist_ok=True)
        out = os.path.join(args.out_dir, os.path.basename(args.table))
        with open(out, "w", encoding="utf-8") as f:
            f.write(f"# A subset of {args.table} (tools/subset_table.py {' '.join(argv or sys.argv[1:])}).\n")
            f.write(header + "\n" + "\n".join(kept) + "\n")
    except (InputError, OSError, UnicodeDecodeError) as e:
        print(f"subset_table.py: {e}", file=sys.stderr)
        return 2
    print(f"{out}: {len(kept)} rows of {args.table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
