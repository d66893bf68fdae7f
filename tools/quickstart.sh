#!/usr/bin/env bash
# The README's two commands.
#   tools/quickstart.sh bench [gemm_bench flags]   set up, build, run the default GEMM suite on every backend
#                                                  found, print the table and write gemm_results.csv
#   tools/quickstart.sh test                       set up, build, run the test suite; then build without any
#                                                  optional library and run its tests too; then, where the CUDA
#                                                  toolkit is installed, build a GPU bundle and check it
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-bench}"
shift || true

bash tools/setup.sh
jobs="$(nproc)"

case "$mode" in
  bench)
    cmake --preset default
    cmake --build build -j "$jobs"
    exec build/bin/gemm_bench --csv=gemm_results.csv "$@"
    ;;
  test)
    cmake --preset default
    cmake --build build -j "$jobs"
    ctest --preset default -j "$jobs"
    # The same tests on a build with no optional library: it must build, and its binaries must say why they
    # cannot run rather than crash.
    cmake --preset minimal
    cmake --build build-minimal -j "$jobs"
    ctest --preset minimal -j "$jobs"
    # The bundle for GPU machines without internet (README): it must build here, without a GPU, and its env.sh
    # alone must let every library of every binary resolve. It needs nvcc, found as cmake/cuda.cmake finds it.
    if [ -n "${CUDACXX:-}" ] || [ -x /usr/local/cuda/bin/nvcc ] || command -v nvcc >/dev/null; then
      bash tools/bundle.sh --out build-bundle/bundle-ci
      bash tools/check_bundle.sh build-bundle/bundle-ci
    else
      echo "quickstart: bundle check skipped: no CUDA toolkit (nvcc) on this machine"
    fi
    ;;
  *)
    echo "usage: tools/quickstart.sh bench|test" >&2
    exit 2
    ;;
esac
