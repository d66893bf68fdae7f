#!/usr/bin/env bash
# gpu_allreduce_run.sh: the prepared GPU session for allreduce_bench's NCCL backend, in one process (the GPU machine
# has no MPI). With one GPU an allreduce crosses no link: the figures are NCCL's single-rank latency and algbw (its
# out-of-place copy), and busbw is 0; with N GPUs (--gpus) they are the node's NVLink figures.
#
# How to run it (a later session, through the device tool). bundle/ is git-ignored, so it must be carried; build it
# first with tools/bundle.sh from a tree where allreduce_bench exists:
#
#   run(command="bash tools/gpu_allreduce_run.sh", carry=["bundle"], timeout_s=420)
#
# Knobs: GPU_RUN_GPUS (devices, default every visible one), GPU_RUN_SWEEP (default 8:1G:2), GPU_RUN_BUDGET_S (whole
# script, default 360 s). The script never changes GPU clocks, power limits or modes.
#
# What comes back in $OUT:
#   run.log              everything printed, each step's limit, exit status and duration
#   context.txt          nvidia-smi -q, the bundle's ldd and env.sh, allreduce_bench --list
#   test_nccl.txt        the NCCL backend's device test: every type x reduction x placement over every GPU, exact
#   allreduce_cold.csv   the sweep in fp32 and bf16, cold (L2 flushed, one allreduce per event pair)
#   allreduce_hot.csv    the same sweep, hot (back-to-back allreduces in a graph per event pair, as nccl-tests)
# Copy them to results/<target>/ (the reply's device names the card) and describe them in its README.
set -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
if [ -z "${OUT:-}" ]; then
  echo "gpu_allreduce_run.sh: \$OUT is not set (the device tool sets it; for a local try: OUT=/tmp/out bash $0)" >&2
  exit 2
fi
mkdir -p "$OUT" || exit 2
exec > >(tee "$OUT/run.log") 2>&1
BUDGET=${GPU_RUN_BUDGET_S:-360}
SWEEP=${GPU_RUN_SWEEP:-8:1G:2}
T0=$SECONDS
left() { echo $((BUDGET - (SECONDS - T0))); }
# step NAME LIMIT CMD...: runs CMD under LIMIT seconds and says how it ended.
step() {
  local name=$1 limit=$2
  shift 2
  echo "=== $name (limit ${limit}s)"
  local start=$SECONDS rc=0
  timeout "$limit" "$@" || rc=$?
  echo "=== $name: exit $rc after $((SECONDS - start))s"
  return $rc
}

[ -x bundle/bin/allreduce_bench ] && [ -x bundle/tests/test_nccl ] ||
  { echo "FATAL: bundle/ has no allreduce_bench or tests/test_nccl: rebuild it (tools/bundle.sh) and carry it"; exit 2; }
# shellcheck disable=SC1091
source bundle/env.sh || { echo "FATAL: bundle/env.sh failed"; exit 2; }
GPUS=${GPU_RUN_GPUS:-$(nvidia-smi -L 2>/dev/null | grep -c '^GPU')}
[ "${GPUS:-0}" -ge 1 ] || { echo "FATAL: no GPU listed by nvidia-smi"; exit 2; }
{
  nvidia-smi -q 2>&1 | head -150
  echo "--- ldd"; ldd bundle/bin/allreduce_bench
  echo "--- env.sh"; cat bundle/env.sh
  echo "--- list"; bundle/bin/allreduce_bench --backends=nccl --gpus="$GPUS" --sweep=8:64:2 --list
} > "$OUT/context.txt" 2>&1

step test_nccl 120 bundle/tests/test_nccl > "$OUT/test_nccl.txt" 2>&1
tail -5 "$OUT/test_nccl.txt"
common=(--backends=nccl --gpus="$GPUS" --sweep="$SWEEP" --precisions=fp32,bf16 --inplace=both
        --warmup=0.05 --min_time=0.1 --max_time=0.5)
step cold "$(( $(left) / 2 ))" bundle/bin/allreduce_bench "${common[@]}" --cache=cold --csv="$OUT/allreduce_cold.csv"
step hot "$(( $(left) - 10 ))" bundle/bin/allreduce_bench "${common[@]}" --cache=hot --csv="$OUT/allreduce_hot.csv"
echo "=== done after $((SECONDS - T0))s"
