#!/usr/bin/env bash
# gpu_gemm_run.sh: the prepared GPU session for dlbench's cuBLASLt backend. It checks the portable bundle, records
# the machine, times gemm_bench --backends=cublas and PyTorch on the same GEMMs (smoke and llm tables, bf16, fp8e4m3,
# fp16, tf32, plus m8192n8192k8192_nt_bf16 with and without --autotune), and writes the comparison. Everything it
# runs has a time limit, and the whole script keeps to GPU_RUN_BUDGET_S (default 400 s) of wall time.
#
# How to run it (a later session, through the device tool; the command runs in a copy of the repository root and
# sets $OUT). bundle/ is git-ignored, so it must be carried (64 MiB at most for everything carried):
#
#   run(command="bash tools/gpu_gemm_run.sh", carry=["bundle"], timeout_s=600)
#
# A rerun with less device time left: run(command="GPU_RUN_BUDGET_S=240 bash tools/gpu_gemm_run.sh", ...).
# GPU_RUN_SHAPES_DIR (a folder with smoke.csv and llm.csv) and GPU_RUN_CLI_PROBLEM replace the tables and the cli
# problem; they exist for trying the script on small shapes, not for results.
# The reply's `device` says which card ran it (a call without `kind` may land on an H200): name the results folder
# after it, and compare_gemm.py picks the peaks from the device name (--part=auto).
#
# What comes back in $OUT (7 files; the device tool returns at most 8, so the rest goes into raw.tar.gz):
#   run.log                everything printed, with each step's limit, exit status and duration, GPU clocks
#   context.txt            nvidia-smi -q and a clocks/PCI summary, host, bundle (ldd, env.sh), torch, table sums
#   dlbench.csv            gemm_bench --autotune=8 rows: the cli problem cold and hot, then every table pass that ran
#   dlbench_heuristic.csv  the cli problem with --autotune=0 (cuBLASLt's first heuristic choice)
#   torch.csv              tools/torch_gemm.py rows for the same problems
#   compare.md             tools/compare_gemm.py: both dlbench runs against torch.csv
#   raw.tar.gz             preflight logs, the tables actually run, each invocation's CSV and JSON (--benchmark_out)
#
# Copying the results into the repository afterwards (FILES = the reply's files_at; TARGET e.g. h100-sxm5-80gb,
# or h200-sxm-141gb when the reply's device was an H200):
#   mkdir -p results/$TARGET && cp "$FILES"/* results/$TARGET/ && cp tools/gpu_gemm_run.sh results/$TARGET/run.sh
#   then write results/$TARGET/README.md: the device line of context.txt, CUDA/driver/torch versions, the summary
#   table and notes of compare.md, which passes ran or were cut (run.log's "===" lines), and add the target to
#   results/README.md's table.
#
# Plan and why: the host work per case is small since the cuBLAS backend generates its operands on the device and
# the reference reads only the sampled rows and columns (HostBuffer::generated): what costs time is warm-up,
# sampling, --autotune and PyTorch's own run. Estimated at ~0.7 s per dlbench case and ~0.5 s per PyTorch case,
# llm.csv + smoke.csv in four precisions (252 cases each) fill most of a 600 s call, so the rows still run in
# passes under their own time limits, the most wanted first:
#   pass 1: Llama-2-7B rows, then smoke, in tf32, bf16, fp16, fp8e4m3; each precision gets an equal share of the
#           time left, so a slow one cannot starve the others, and what a fast one leaves goes to the ones after it;
#   pass 2: Llama-2-70B rows in bf16, then fp8e4m3, with whatever time is left (then PyTorch for those rows).
# Within each pass the rows run in phase order prefill_t8192, decode_t1, prefill_t2048, decode_t16, prefill_t512,
# prefill_t128 (the compute-bound and bandwidth-bound extremes first), so a cut pass still has both kinds. The pass
# tables are llm.csv's rows verbatim, reordered, in files named llm.csv: table and labels stay those of llm.csv.
# A gemm_bench stopped by its limit keeps the CSV rows it finished (it writes each row as the case ends) and loses
# its JSON; run.log says which passes were cut. Any time left after the passes is simply not used.
#
# Timing settings, the same for both tools: --warmup=0.1 (dlbench's default), --min_time=0.1 (dlbench: 0.5; lowered
# so a case whose CoV meets 0.5 % after 10 samples stops early), --max_time=0.25 per case, --noise=0.5, cold cache
# (L2 flushed before each sample, one call per event pair; gemm_bench's default on a GPU). --autotune=8: the
# backend times each of the top N heuristic candidates with 1 + 5 cold calls and keeps the fastest, so N = 8 costs
# ~48 extra calls per case. One pass over llm.csv is 24.7 TFLOP, ~31 ms of GEMM in bf16 at the ~800 TFLOP/s
# MEASURE.md records for PyTorch on this machine: 48 passes is ~1.5 s per precision (twice that in tf32), small
# beside the sampling, while 8 candidates give the tuner a real choice beyond the heuristic's first pick.
# The script never changes GPU clocks, power limits or modes.

set -o pipefail
export PYTHONUNBUFFERED=1
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

if [ -z "${OUT:-}" ]; then
  echo "gpu_gemm_run.sh: \$OUT is not set (the device tool sets it; for a local try: OUT=/tmp/out bash $0)" >&2
  exit 2
fi
mkdir -p "$OUT" || exit 2

BUDGET=${GPU_RUN_BUDGET_S:-400}
AUTOTUNE=8
WARMUP=0.1
MIN_TIME=0.1
MAX_TIME=0.25
NOISE=0.5
CLI_PROBLEM=${GPU_RUN_CLI_PROBLEM:-m8192n8192k8192_nt_bf16}
PASS1_PRECISIONS=(tf32 bf16 fp16 fp8e4m3)  # what one leaves of its share goes to the ones after it
PASS2_PRECISIONS=(bf16 fp8e4m3)
PHASES="prefill_t8192 decode_t1 prefill_t2048 decode_t16 prefill_t512 prefill_t128"
RESERVE_END=15    # merging, compare_gemm.py and the tarball: a few seconds
TORCH_B_MIN=45    # PyTorch on the 70B rows of one or two precisions: start-up ~10 s, ~0.45 s per case
BENCH=bundle/bin/gemm_bench
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu_gemm_run.XXXXXX") || exit 2
T0=$SECONDS
DEADLINE=$((T0 + BUDGET))
# PyTorch runs with the library path it was started with, not bundle/env.sh's: with the CUDA libraries of the
# bundle first on LD_LIBRARY_PATH, a PyTorch built for the same CUDA major would load that cuBLAS instead of its own,
# and the comparison would no longer be against PyTorch as installed.
if [ -n "${LD_LIBRARY_PATH+set}" ]; then PY=(env "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" python3); else
  PY=(env -u LD_LIBRARY_PATH python3); fi
TIMINGS=()

left() { echo $((DEADLINE - SECONDS)); }

# step NAME LIMIT_S CMD...: runs CMD under `timeout`, says how it ended and how long it took.
step() {
  local name=$1 limit=$2 start=$SECONDS rc
  shift 2
  if [ "$limit" -lt 5 ]; then
    echo "=== [$((SECONDS - T0)) s] $name: SKIPPED, ${limit} s left in the budget"
    TIMINGS+=("$name: skipped")
    return 125
  fi
  echo "=== [$((SECONDS - T0)) s] $name (limit ${limit} s): $*"
  timeout -k 10 "$limit" "$@"
  rc=$?
  local how="rc=$rc"
  [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && how="CUT at its ${limit} s limit (rc=$rc)"
  echo "=== [$((SECONDS - T0)) s] $name: $how after $((SECONDS - start)) s"
  TIMINGS+=("$name: $((SECONDS - start)) s, $how")
  return "$rc"
}

min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

# The clocks and throttle reasons now, one line (newer drivers call the reasons clocks_event_reasons).
gpu_state() {
  local q=timestamp,clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu
  echo "--- gpu: $(timeout 10 nvidia-smi --query-gpu=$q,clocks_event_reasons.active --format=csv,noheader 2>/dev/null ||
    timeout 10 nvidia-smi --query-gpu=$q --format=csv,noheader 2>&1)"
}

data_rows() { if [ -s "$1" ]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }

# merge_csv OUT IN...: the first file's header, then the rows of every file with that same header.
merge_csv() {
  local out=$1 f files=()
  shift
  for f in "$@"; do [ -s "$f" ] && files+=("$f"); done
  [ ${#files[@]} -gt 0 ] || return 1
  awk 'FNR == 1 {
         if (NR == 1) { header = $0; print; skip = 0 }
         else {
           skip = ($0 != header)
           if (skip) printf "merge_csv: %s: other header, rows left out\n", FILENAME > "/dev/stderr"
         }
         next }
       !skip { print }' "${files[@]}" >"$out"
}

write_context() {
  {
    echo "# gpu_gemm_run.sh context, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo; echo "## GPU summary"
    local q=name,pci.device_id,pci.bus_id,driver_version,vbios_version,memory.total,clocks.max.sm,clocks.max.mem
    timeout 15 nvidia-smi --query-gpu=$q,clocks.sm,power.limit,compute_mode,persistence_mode,mig.mode.current --format=csv
    echo; echo "## nvidia-smi"; timeout 15 nvidia-smi
    echo; echo "## host"; uname -a; nproc; free -g; timeout 10 lscpu | head -25
    echo; echo "## bundle"; find bundle -maxdepth 2 -printf '%M %10s %p\n' 2>&1 | head -80
    echo "--- bundle/env.sh"; cat bundle/env.sh 2>&1
    echo "--- LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    echo "--- ldd $BENCH"; timeout 10 ldd "$BENCH" 2>&1
    echo; echo "## gemm_bench --help"; timeout 20 "$BENCH" --help 2>&1
    echo; echo "## gemm_bench --list (backends, the cli problem)"
    timeout 45 "$BENCH" --backends=cublas --problem="$CLI_PROBLEM" --list 2>&1 | head -40
    echo; echo "## python and torch"
    timeout 60 "${PY[@]}" - <<'EOF' 2>&1
import os, sys
print("python", sys.version.split()[0])
try:
    import torch
except Exception as e:  # torch_gemm.py will fail with the same reason
    print("torch: cannot import:", e)
    raise SystemExit
def show(label, get):  # one fact per line; one that this PyTorch lacks says so instead of ending the list
    try:
        print(f"{label}: {get()}")
    except Exception as e:
        print(f"{label}: n/a ({type(e).__name__}: {e})")
show("torch", lambda: f"{torch.__version__}, CUDA {torch.version.cuda}")
show("cuDNN", lambda: torch.backends.cudnn.version())
show("cuda available", torch.cuda.is_available)
show("device", lambda: torch.cuda.get_device_name(0))
show("capability", lambda: torch.cuda.get_device_capability(0))
show("properties", lambda: torch.cuda.get_device_properties(0))
show("L2_cache_size", lambda: torch.cuda.get_device_properties(0).L2_cache_size)
m = torch.backends.cuda.matmul
show("matmul.allow_tf32", lambda: m.allow_tf32)
show("matmul.allow_fp16_reduced_precision_reduction", lambda: m.allow_fp16_reduced_precision_reduction)
show("matmul.allow_bf16_reduced_precision_reduction", lambda: m.allow_bf16_reduced_precision_reduction)
show("preferred_blas_library", lambda: torch.backends.cuda.preferred_blas_library())
show("torch._scaled_mm", lambda: hasattr(torch, "_scaled_mm"))
show("torch.float8_e4m3fn", lambda: hasattr(torch, "float8_e4m3fn"))
for k in ("CUBLAS_WORKSPACE_CONFIG", "CUBLASLT_WORKSPACE_SIZE", "TORCH_BLAS_PREFER_CUBLASLT"):
    print(k, "=", os.environ.get(k, "(unset)"))
def cublas_loaded():  # which cuBLAS this PyTorch loads: the process's maps after one matmul
    x = torch.ones(64, 64, device="cuda")
    (x @ x).sum().item()
    return sorted({line.split()[-1] for line in open("/proc/self/maps") if "libcublas" in line})
show("cuBLAS loaded by torch", cublas_loaded)
EOF
    echo; echo "## shape tables (sha256)"; sha256sum shapes/gemm/*.csv bundle/shapes/gemm/*.csv 2>&1
    echo; echo "## source"; git rev-parse HEAD 2>/dev/null || echo "no git metadata in this copy"
    echo; echo "## environment"; env | grep -E '^(CUDA|NVIDIA|LD_LIBRARY|CUBLAS|TORCH|PYTORCH|OMP|DLBENCH)' | sort
    echo; echo "## nvidia-smi -q"; timeout 30 nvidia-smi -q
  } >"$OUT/context.txt" 2>&1
}

# The pass tables: llm.csv's rows of one model, verbatim, reordered by phase; written as <dir>/llm.csv.
make_pass_tables() {
  python3 - "$SHAPES/llm.csv" "$WORK/tables" "$PHASES" <<'EOF'
import os, sys
sys.path.insert(0, "tools")
from gemm_common import split_csv_record
src, out_dir, phases = sys.argv[1], sys.argv[2], sys.argv[3].split()
lines = open(src, encoding="utf-8").read().split("\n")
header, rows = None, []
for line in lines:
    s = line.strip(" \t\r")
    if not s or s.startswith("#"):
        continue
    if header is None:
        header = s
        label_col = split_csv_record(s, src).index("label")
        continue
    rows.append((split_csv_record(s, src)[label_col], s))
def rank(label):
    phase = label.rsplit("/", 1)[-1]
    return phases.index(phase) if phase in phases else len(phases)
groups = {"p1": [r for r in rows if r[0].startswith("llama2-7b/")],
          "p2": [r for r in rows if not r[0].startswith("llama2-7b/")]}
for name, group in groups.items():
    os.makedirs(os.path.join(out_dir, name), exist_ok=True)
    with open(os.path.join(out_dir, name, "llm.csv"), "w", encoding="utf-8") as f:
        f.write(f"# Derived by tools/gpu_gemm_run.sh from {src}: {name} rows, "
                f"reordered by phase ({' '.join(phases)}).\n")
        f.write(header + "\n")
        for label, line in sorted(group, key=lambda r: rank(r[0])):
            f.write(line + "\n")
    print(f"{name}/llm.csv: {len(group)} rows")
EOF
}

# dl TAG LIMIT_S ARGS...: one gemm_bench invocation, CSV and JSON kept in $WORK.
DL_FILES=()
dl() {
  local tag=$1 limit=$2 rc
  shift 2
  gpu_state
  step "gemm_bench $tag" "$limit" "$BENCH" --backends=cublas "${DL_COMMON[@]}" --csv="$WORK/dl_$tag.csv" \
    --benchmark_out="$WORK/dl_$tag.json" --benchmark_out_format=json "$@"
  rc=$?
  echo "    dl_$tag.csv: $(data_rows "$WORK/dl_$tag.csv") rows"
  return $rc
}

torch_run() {  # torch_run TAG LIMIT_S ARGS...
  local tag=$1 limit=$2
  shift 2
  gpu_state
  # Its own budget stops it between cases, 20 s before the hard limit, so its CSV and table stay whole.
  step "torch_gemm $tag" "$limit" "${PY[@]}" tools/torch_gemm.py --cache=cold --warmup=$WARMUP --min-time=$MIN_TIME \
    --max-time=$MAX_TIME --noise=$NOISE --time-budget=$((limit > 40 ? limit - 20 : limit / 2)) \
    --csv="$WORK/torch_$tag.csv" "$@"
}

run_all() {
  echo "gpu_gemm_run.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ), budget ${BUDGET} s, scratch $WORK"
  if [ ! -x "$BENCH" ] || [ ! -f bundle/env.sh ]; then
    echo "FATAL: bundle/ is missing or incomplete (need bundle/bin/gemm_bench and bundle/env.sh): build it with"
    echo "       tools/bundle.sh and pass carry=[\"bundle\"] to the device tool."
    write_context
    return 1
  fi
  # shellcheck disable=SC1091  # made by tools/bundle.sh; sets LD_LIBRARY_PATH for the CUDA libraries
  source bundle/env.sh || { echo "FATAL: sourcing bundle/env.sh failed"; write_context; return 1; }
  SHAPES=${GPU_RUN_SHAPES_DIR:-bundle/shapes/gemm}
  [ -f "$SHAPES/llm.csv" ] || SHAPES=shapes/gemm
  echo "shape tables from $SHAPES"

  mkdir -p "$WORK/preflight"
  gpu_state
  if ! step preflight "$(min 90 "$(($(left) - RESERVE_END))")" bash bundle/preflight.sh "$WORK/preflight"; then
    echo "FATAL: bundle/preflight.sh failed: see its output above and its logs in raw.tar.gz (preflight/)."
    echo "       Nothing was timed; context.txt still describes the machine."
    write_context
    return 1
  fi
  local t=$SECONDS
  write_context  # each command in it has its own limit
  TIMINGS+=("context: $((SECONDS - t)) s")
  grep -m1 -A2 '^name, pci.device_id' "$OUT/context.txt"

  local help
  help=$(timeout 20 "$BENCH" --help 2>&1)
  DL_COMMON=("--warmup=$WARMUP" "--min_time=$MIN_TIME" "--max_time=$MAX_TIME" "--noise=$NOISE")
  local hot=no
  if grep -q -- '--cache=' <<<"$help"; then DL_COMMON+=(--cache=cold); hot=yes; else
    echo "note: this gemm_bench has no --cache flag: its default mode is used, and nothing runs hot"; fi
  local autotune=yes
  grep -q -- '--autotune=' <<<"$help" || { autotune=no; echo "note: this gemm_bench has no --autotune flag"; }

  make_pass_tables || { echo "FATAL: could not derive the pass tables from $SHAPES/llm.csv"; return 1; }

  # The cli problem: cuBLASLt's first heuristic choice, then the fastest of its top 8; then that again hot
  # (a CUDA graph of calls per sample), the best case both tools can show.
  if [ $autotune = yes ]; then
    dl cli_heuristic "$(min 90 "$(($(left) - RESERVE_END))")" --problem="$CLI_PROBLEM" --autotune=0
    dl cli_autotune "$(min 90 "$(($(left) - RESERVE_END))")" --problem="$CLI_PROBLEM" --autotune=$AUTOTUNE
    DL_FILES+=("$WORK/dl_cli_autotune.csv")
    DL_COMMON+=("--autotune=$AUTOTUNE")
  else
    dl cli "$(min 90 "$(($(left) - RESERVE_END))")" --problem="$CLI_PROBLEM"
    DL_FILES+=("$WORK/dl_cli.csv")
  fi
  if [ $hot = yes ]; then
    dl cli_hot "$(min 60 "$(($(left) - RESERVE_END))")" --problem="$CLI_PROBLEM" --cache=hot
    DL_FILES+=("$WORK/dl_cli_hot.csv")
    torch_run hot "$(min 60 "$(($(left) - RESERVE_END))")" --problem="$CLI_PROBLEM" --cache=hot
  fi

  # PyTorch on everything pass 1 and the cli problem cover (~140 timed cases, ~75 s).
  local p1_tables="$WORK/tables/p1/llm.csv,$SHAPES/smoke.csv"
  torch_run a "$(min 150 "$(($(left) - RESERVE_END - 60))")" --shapes="$p1_tables" --problem="$CLI_PROBLEM" \
    --precisions="$(IFS=,; echo "${PASS1_PRECISIONS[*]}")"

  # Pass 1: an equal share of what is left for each precision still to run.
  local i n=${#PASS1_PRECISIONS[@]} prec share
  for ((i = 0; i < n; i++)); do
    prec=${PASS1_PRECISIONS[$i]}
    share=$((($(left) - RESERVE_END - TORCH_B_MIN) / (n - i)))
    dl "p1_$prec" "$share" --shapes="$p1_tables" --precisions="$prec"
    DL_FILES+=("$WORK/dl_p1_$prec.csv")
  done

  # Pass 2: the 70B rows, one precision after the other, with what is left after PyTorch's share for them.
  local p2_ran=()
  for prec in "${PASS2_PRECISIONS[@]}"; do
    dl "p2_$prec" "$(($(left) - RESERVE_END - TORCH_B_MIN))" --shapes="$WORK/tables/p2/llm.csv" --precisions="$prec"
    DL_FILES+=("$WORK/dl_p2_$prec.csv")
    [ "$(data_rows "$WORK/dl_p2_$prec.csv")" -gt 0 ] && p2_ran+=("$prec")
  done
  if [ ${#p2_ran[@]} -gt 0 ]; then
    torch_run b "$(($(left) - RESERVE_END))" --shapes="$WORK/tables/p2/llm.csv" \
      --precisions="$(IFS=,; echo "${p2_ran[*]}")"
  else
    echo "=== no 70B rows ran in gemm_bench: PyTorch skips them too"
  fi
  gpu_state
  return 0
}

finish() {
  echo "=== [$((SECONDS - T0)) s] collecting results"
  merge_csv "$OUT/dlbench.csv" "${DL_FILES[@]}" || echo "no dlbench rows"
  [ -s "$WORK/dl_cli_heuristic.csv" ] && cp "$WORK/dl_cli_heuristic.csv" "$OUT/dlbench_heuristic.csv"
  merge_csv "$OUT/torch.csv" "$WORK/torch_hot.csv" "$WORK/torch_a.csv" "$WORK/torch_b.csv" || echo "no PyTorch rows"
  if [ -s "$OUT/dlbench.csv" ] && [ -s "$OUT/torch.csv" ]; then
    local runs=()
    if [ -s "$OUT/dlbench_heuristic.csv" ]; then
      runs=("autotune$AUTOTUNE=$OUT/dlbench.csv" "heuristic=$OUT/dlbench_heuristic.csv")
    else
      runs=("$OUT/dlbench.csv")
    fi
    timeout 60 python3 tools/compare_gemm.py --torch="$OUT/torch.csv" --part=auto --out="$OUT/compare.md" "${runs[@]}"
    echo "--- compare.md summary:"
    sed -n '/^## Summary/,/^## Rows/p' "$OUT/compare.md" | head -40
  else
    echo "compare.md not written: dlbench.csv or torch.csv has no rows"
  fi
  tar -C "$WORK" -czf "$OUT/raw.tar.gz" . || echo "tar of $WORK failed"
  echo "=== step times:"
  printf '    %s\n' "${TIMINGS[@]}"
  echo "=== [$((SECONDS - T0)) s] done; in \$OUT:"
  ls -la "$OUT"
}

main() {
  run_all
  local rc=$?
  finish
  return $rc
}

main 2>&1 | tee "$OUT/run.log"
rc=${PIPESTATUS[0]}
rm -rf "$WORK"
exit "$rc"
