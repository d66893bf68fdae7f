"""Shared setup of the result tools' tests: the tools' folder on sys.path, the fixture files, and a helper that runs
a tool's main() and captures its exit status and output.

  .venv/bin/python -m pytest -q tools/tests          (tools/setup.sh makes .venv)
"""

from __future__ import annotations

import os
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(TESTS)
REPO = os.path.dirname(TOOLS)
FIXTURES = os.path.join(TESTS, "fixtures")
sys.path.insert(0, TOOLS)


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


CPU_RUN = [fixture(f) for f in ("cpu_gemm.csv", "cpu_conv.csv", "cpu_rnn.csv", "cpu_allreduce.csv")]
GPU_RUN = [fixture(f) for f in ("gpu_gemm.csv", "gpu_conv.csv")]


@pytest.fixture
def run_tool(capsys):
    """run_tool(module.main, [args]) -> (exit status, stdout, stderr)."""
    def run(main, args):
        try:
            rc = main([str(a) for a in args])
        except SystemExit as e:  # argparse
            rc = e.code
        out, err = capsys.readouterr()
        return rc, out, err
    return run
