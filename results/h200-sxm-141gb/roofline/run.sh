#!/usr/bin/env bash
# gpu_roofline_run.sh: the prepared GPU session for hardware targets and the roofline (issue 6). On a GPU machine
# without Google Benchmark, oneDNN or MPI it runs the portable bundle (tools/bundle.sh):
#   1. the GPU device tests (test_cuda: device inputs, event timing);
#   2. peak_bench on the GPU: a device-to-device copy (cudart) and the largest cuBLASLt GEMMs in every precision and
#      both layouts; its measured target file goes into the target directory, so every later step is placed on the
#      measured roof as well as the spec one;
#   3. gemm_bench on the default and llm tables (bf16, fp8e4m3, fp16, tf32, then fp32 on default);
#   4. conv_bench and rnn_bench on their smoke tables (cuDNN), allreduce_bench (NCCL) on the visible GPUs;
#   5. test_nccl and the GEMM/conv/RNN conformance tests with whatever time is left.
# Every step has a time limit and the whole keeps to GPU_RUN_BUDGET_S (default 420 s) of wall time; a step that
# would start with under 10 s left is skipped and says so. The script never changes clocks, power limits or modes.
#
# Run it through the device tool (bundle/ is git-ignored, so carry it):
#   run(command="bash tools/gpu_roofline_run.sh", carry=["bundle"], timeout_s=480)
# A rerun with less device time left: GPU_RUN_BUDGET_S=200 bash tools/gpu_roofline_run.sh
# GPU_RUN_GEMM_PASSES ("table:precision ...") replaces the gemm passes; GPU_RUN_SKIP ("tests conv rnn allreduce")
# leaves those steps out: for a second call that only redoes what the first could not.
#
# What comes back in $OUT (the device tool returns a few files; the rest is in raw.tar.gz):
#   run.log        everything printed, each step's limit, exit status and duration, GPU clocks between steps
#   context.txt    nvidia-smi summary and -q, ldd of the binaries, env.sh, peak_bench --list
#   target.csv     the measured target peak_bench wrote (copy it to results/<target>/)
#   peak.csv       peak_bench's rows (the copy, the GEMMs), with their roofline columns
#   gemm.csv       gemm_bench rows of every pass, with the roofline columns against the spec and measured roofs
#   kernels.csv    conv, rnn and allreduce rows merged (their own columns empty where another kernel's)
#   raw.tar.gz     each invocation's CSV and Google Benchmark JSON, the test logs
set -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
if [ -z "${OUT:-}" ]; then
  echo "gpu_roofline_run.sh: \$OUT is not set (the device tool sets it; for a local try: OUT=/tmp/out bash $0)" >&2
  exit 2
fi
mkdir -p "$OUT" || exit 2
exec > >(tee "$OUT/run.log") 2>&1
BUDGET=${GPU_RUN_BUDGET_S:-420}
T0=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu_roofline.XXXXXX") || exit 2
# The measured target goes here, and every later step reads it from here (target/target_set.hpp).
export DLBENCH_TARGET_DIR="$WORK/targets"
mkdir -p "$DLBENCH_TARGET_DIR" "$WORK/raw"

left() { echo $((BUDGET - (SECONDS - T0))); }
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }
gpu_state() {
  echo "--- gpu: $(timeout 10 nvidia-smi --query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw,clocks_event_reasons.active \
    --format=csv,noheader 2>&1)"
}
# step NAME LIMIT CMD...: runs CMD under min(LIMIT, budget left - 5) seconds; skipped under 10 s.
step() {
  local name=$1 limit=$2 start=$SECONDS rc=0
  shift 2
  limit=$(min "$limit" $(($(left) - 5)))
  if [ "$limit" -lt 10 ]; then
    echo "=== [$((SECONDS - T0)) s] $name: SKIPPED (${limit} s left in the budget)"
    return 125
  fi
  echo "=== [$((SECONDS - T0)) s] $name (limit ${limit} s): $*"
  timeout -k 5 "$limit" "$@" || rc=$?
  local how="rc=$rc"
  { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && how="CUT at its ${limit} s limit (rc=$rc)"
  echo "=== [$((SECONDS - T0)) s] $name: $how after $((SECONDS - start)) s"
  gpu_state
  return "$rc"
}
merge_csv() {  # OUT FILES...: rows of every file, under the union of their headers (python: headers differ by kernel)
  local out=$1
  shift
  python3 - "$out" "$@" <<'EOF'
import csv, sys
out, files = sys.argv[1], [f for f in sys.argv[2:]]
rows, cols = [], []
for f in files:
    try:
        with open(f, newline="") as fh:
            r = csv.DictReader(fh)
            for c in r.fieldnames or []:
                if c not in cols:
                    cols.append(c)
            rows.extend(r)
    except FileNotFoundError:
        pass
if rows:
    with open(out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
EOF
}

[ -x bundle/bin/peak_bench ] && [ -f bundle/env.sh ] ||
  { echo "FATAL: bundle/ has no bin/peak_bench or env.sh: rebuild it (tools/bundle.sh) and carry it"; exit 2; }
source bundle/env.sh || { echo "FATAL: sourcing bundle/env.sh failed"; exit 2; }
if ldd bundle/bin/* bundle/tests/* 2>/dev/null | grep -q 'not found'; then
  echo "FATAL: unresolved libraries:"; ldd bundle/bin/* bundle/tests/* | grep 'not found'; exit 2
fi
GPUS=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU')
[ "${GPUS:-0}" -ge 1 ] || GPUS=1
{
  echo "# gpu_roofline_run.sh context, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  timeout 15 nvidia-smi --query-gpu=name,pci.device_id,pci.bus_id,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit,compute_mode,persistence_mode --format=csv
  echo "--- env.sh"; cat bundle/env.sh
  echo "--- ldd peak_bench"; ldd bundle/bin/peak_bench
  echo "--- peak_bench --list"; timeout 60 bundle/bin/peak_bench --list
  echo "--- nvidia-smi -q"; timeout 30 nvidia-smi -q
} >"$OUT/context.txt" 2>&1
gpu_state

# Settings shared by the timed steps: short per-case limits so the tables fit; cold cache (the default on GPUs).
TIMING=(--warmup=0.1 --min_time=0.1 --max_time=0.3 --noise=0.5)

skip tests || step test_cuda 60 bundle/tests/test_cuda --gtest_brief=1 >"$WORK/raw/test_cuda.txt" 2>&1
tail -3 "$WORK/raw/test_cuda.txt"

step peak_bench 120 bundle/bin/peak_bench --backends=cudart,cublas --warmup=0.1 --min_time=0.3 --max_time=1 \
  --csv="$OUT/peak.csv" --benchmark_out="$WORK/raw/peak.json" --target_out="$DLBENCH_TARGET_DIR/measured.csv"
cp "$DLBENCH_TARGET_DIR/measured.csv" "$OUT/target.csv" 2>/dev/null || echo "note: peak_bench wrote no target file"
cat "$OUT/target.csv" 2>/dev/null

skip() { [[ " ${GPU_RUN_SKIP:-} " == *" $1 "* ]] && echo "=== $1: left out (GPU_RUN_SKIP)"; }
gemm_csvs=()
for pass in ${GPU_RUN_GEMM_PASSES:-default:bf16 default:fp8e4m3 default:fp16 default:tf32 default:fp32 llm:bf16 llm:fp8e4m3 llm:tf32}; do
  table=${pass%%:*} precision=${pass##*:}
  step "gemm $table $precision" 90 bundle/bin/gemm_bench --backends=cublas --shapes="$table" --precisions="$precision" \
    "${TIMING[@]}" --csv="$WORK/raw/gemm_${table}_${precision}.csv" \
    --benchmark_out="$WORK/raw/gemm_${table}_${precision}.json" >"$WORK/raw/gemm_${table}_${precision}.txt" 2>&1
  tail -2 "$WORK/raw/gemm_${table}_${precision}.txt"
  gemm_csvs+=("$WORK/raw/gemm_${table}_${precision}.csv")
done
merge_csv "$OUT/gemm.csv" "${gemm_csvs[@]}"

# NCCL's exactness on odd counts, every reduction, one process: each failed row names its first wrong element.
step "nccl exactness" 30 bundle/bin/allreduce_bench --backends=nccl --gpus="${GPUS:-1}" \
  --problem=n100003_avg_fp32,n100003_avg_inplace_fp32,n100004_avg_fp32,n100003_sum_fp32,n100003_avg_bf16,n7_avg_fp32 \
  --warmup=0 --min_time=0.01 --max_time=0.05 --csv="$WORK/raw/nccl_exact.csv" >"$WORK/raw/nccl_exact.txt" 2>&1
grep -E "^allreduce|failed" "$WORK/raw/nccl_exact.txt" | cut -c1-300

skip conv || step "conv smoke" 100 bundle/bin/conv_bench --backends=cudnn --shapes=smoke "${TIMING[@]}" --csv="$WORK/raw/conv.csv" \
  >"$WORK/raw/conv.txt" 2>&1
tail -2 "$WORK/raw/conv.txt"
skip rnn || step "rnn smoke" 40 bundle/bin/rnn_bench --backends=cudnn --shapes=smoke "${TIMING[@]}" --csv="$WORK/raw/rnn.csv" \
  >"$WORK/raw/rnn.txt" 2>&1
tail -2 "$WORK/raw/rnn.txt"
skip allreduce || step "allreduce nccl" 40 bundle/bin/allreduce_bench --backends=nccl --gpus="${GPUS:-1}" --sweep=8:256M:4 \
  --precisions=fp32,bf16 --warmup=0.05 --min_time=0.1 --max_time=0.3 --csv="$WORK/raw/allreduce.csv" \
  >"$WORK/raw/allreduce.txt" 2>&1
tail -2 "$WORK/raw/allreduce.txt"
merge_csv "$OUT/kernels.csv" "$WORK/raw/conv.csv" "$WORK/raw/rnn.csv" "$WORK/raw/allreduce.csv"

skip tests || step test_nccl 40 bundle/tests/test_nccl --gtest_brief=1 >"$WORK/raw/test_nccl.txt" 2>&1
tail -3 "$WORK/raw/test_nccl.txt"
for t in bundle/tests/test_*conformance; do
  [ -x "$t" ] && ! skip tests >/dev/null || continue
  step "$(basename "$t")" 60 "$t" --gtest_brief=1 >"$WORK/raw/$(basename "$t").txt" 2>&1
  tail -3 "$WORK/raw/$(basename "$t").txt"
done

tar -czf "$OUT/raw.tar.gz" -C "$WORK" raw targets 2>/dev/null
echo "=== done in $((SECONDS - T0)) s; in \$OUT: $(ls "$OUT" | tr '\n' ' ')"
python3 - "$OUT/gemm.csv" "$OUT/peak.csv" <<'EOF' 2>/dev/null
import csv, sys
for f in sys.argv[1:]:
    try:
        rows = list(csv.DictReader(open(f, newline="")))
    except FileNotFoundError:
        continue
    ok = [r for r in rows if r["status"] == "ok"]
    print(f"{f}: {len(rows)} rows, {len(ok)} ok, {sum(r['status'] == 'failed' for r in rows)} failed")
    for r in sorted(ok, key=lambda r: -float(r["tflops"] or 0))[:8]:
        print(f"  {r['name'][:64]:64s} {float(r['tflops']):9.2f} TFLOP/s {float(r['gbps']):8.1f} GB/s "
              f"roof {r['roofline_pct'] or '-':>6}% ({r['peak_source']}) spec {r['spec_roofline_pct'] or '-':>6}%")
EOF
