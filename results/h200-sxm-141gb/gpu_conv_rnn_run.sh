#!/usr/bin/env bash
# gpu_conv_rnn_run.sh: the prepared GPU session for dlbench's cuDNN convolution and RNN backends. It checks the
# portable bundle, records the machine, times conv_bench --backends=cudnn and rnn_bench --backends=cudnn, then PyTorch
# (tools/torch_conv.py, tools/torch_rnn.py) on the same problems, and writes the comparison (tools/compare_torch.py).
# Everything it runs has a time limit, and the whole script keeps to GPU_RUN_BUDGET_S (default 400 s) of wall time.
#
# How to run it (a later session, through the device tool; the command runs in a copy of the repository root and
# sets $OUT). bundle/ is git-ignored, so it must be carried (64 MiB at most for everything carried); build it first
# with tools/bundle.sh, from a tree where conv_bench and rnn_bench exist:
#
#   run(command="bash tools/gpu_conv_rnn_run.sh", carry=["bundle"], timeout_s=600)
#
# A rerun with less device time left: run(command="GPU_RUN_BUDGET_S=240 bash tools/gpu_conv_rnn_run.sh", ...).
# Other knobs (for trying the script on small shapes, not for results): GPU_RUN_SHAPES_DIR (a folder with conv/ and
# rnn/ tables, default bundle/shapes), GPU_RUN_CONV_ROWS (distinct resnet50 training shapes, default 12),
# GPU_RUN_RESNET_BATCH (keep only resnet50 rows of this batch; default: every training row), GPU_RUN_RNN_ROWS (rows
# of deepspeech2 and of gnmt each, default 4).
# GPU_RUN_PASSES (which of the passes below run: default "conv_smoke rnn_smoke resnet50 rnn"; a rerun can leave out
# what it has).
# The reply's `device` says which card ran it (a call without `kind` may land on an H200): name the results folder
# after it.
#
# What comes back in $OUT (8 files; the device tool returns at most 8, so the rest goes into raw.tar.gz):
#   run.log            everything printed, with each step's limit, exit status and duration, GPU clocks
#   context.txt        nvidia-smi -q and a clocks/PCI summary, host, bundle (ldd, env.sh), both benches' --help and
#                      --list, python, torch and its cuDNN, table sums
#   dlbench_conv.csv   conv_bench rows: smoke, then the resnet50 pass, each precision that ran
#   dlbench_rnn.csv    rnn_bench rows: smoke, then the deepspeech2 and gnmt pass
#   torch_conv.csv     tools/torch_conv.py rows for the problems conv_bench ran ok
#   torch_rnn.csv      tools/torch_rnn.py rows for the problems rnn_bench ran ok
#   compare.md         tools/compare_torch.py: both kernels against PyTorch, PyTorch's wins flagged
#   raw.tar.gz         preflight logs, the tables actually run, each invocation's CSV and JSON
#
# Copying the results into the repository afterwards (FILES = the reply's files_at; TARGET e.g. h100-sxm5-80gb,
# or h200-sxm-141gb when the reply's device was an H200):
#   mkdir -p results/$TARGET && cp "$FILES"/* results/$TARGET/ && cp tools/gpu_conv_rnn_run.sh results/$TARGET/
#   then write results/$TARGET/README.md (or add to it): the device line of context.txt, CUDA, driver, cuDNN (the
#   bundle's and PyTorch's) and torch versions, the summary and "Where PyTorch is faster" of compare.md, which
#   passes ran or were cut (run.log's "===" lines), and add the target to results/README.md's table.
#
# Plan and why. A dlbench case costs warm-up, sampling (capped by --max_time) and --autotune; a PyTorch case
# warm-up, sampling and, on its first call, cudnn.benchmark's find. At ~0.7-1 s per case on each side the tables in
# full (resnet50 alone is ~50 rows × 3 directions × 3 precisions) would fill several 600 s calls, so the script runs
# passes under their own limits, the most wanted first, each dlbench pass followed by PyTorch on the problems that
# pass ran ok (--problems-from), so a cut pass still yields comparable pairs:
#   pass 0: the smoke tables of both kernels in fp16, bf16, tf32: does everything run and verify on this card
#           (12 % and 14 % of the time left, at least 40 s each);
#   pass 1: resnet50's training rows (fwd, bwd_data, bwd_filter), distinct shapes only, GPU_RUN_CONV_ROWS of them,
#           in fp16, bf16, tf32 (60 % of the time left);
#   pass 2: the first GPU_RUN_RNN_ROWS rows of deepspeech2 and of gnmt, in fp16, bf16, tf32 (the rest).
# In each pass PyTorch has 40 % and each precision an equal share of the other 60 %.
# The pass tables are the original rows verbatim (tools/subset_table.py), in files named as the originals, so table
# names and labels, and with them case names, stay those of shapes/. A bench stopped by its limit keeps the CSV rows
# it finished (it writes each row as the case ends) and loses its JSON; run.log says which passes were cut. Time a
# pass does not use goes to the passes after it.
#
# Settings, the same for both sides where both have them: cold cache (L2 flushed before each sample, one call per
# event pair), --warmup=0.1, --min_time=0.1 (dlbench: 0.5; lowered so a case whose CoV meets 0.5 % after 10 samples
# stops early), --max_time=0.25 per case, --noise=0.5, layout nhwc (channels_last: what cuDNN and PyTorch users run
# on tensor cores). dlbench gets --autotune=8 (its backend times the library's top candidates and keeps the fastest)
# and --workspace_mb=1024: PyTorch's cudnn.benchmark lets cuDNN use as much workspace as it can allocate, and with
# the default 32 MiB dlbench would be denied algorithms PyTorch may pick. The script never changes GPU clocks,
# power limits or modes.

set -o pipefail
export PYTHONUNBUFFERED=1
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

if [ -z "${OUT:-}" ]; then
  echo "gpu_conv_rnn_run.sh: \$OUT is not set (the device tool sets it; for a local try: OUT=/tmp/out bash $0)" >&2
  exit 2
fi
mkdir -p "$OUT" || exit 2

BUDGET=${GPU_RUN_BUDGET_S:-400}
CONV_ROWS=${GPU_RUN_CONV_ROWS:-12}
RNN_ROWS=${GPU_RUN_RNN_ROWS:-4}
RESNET_BATCH=${GPU_RUN_RESNET_BATCH:-}
PASSES=" ${GPU_RUN_PASSES:-conv_smoke rnn_smoke resnet50 rnn} "
PRECISIONS=(fp16 bf16 tf32)   # what one leaves of its share goes to the ones after it
AUTOTUNE=8
WORKSPACE_MB=1024
WARMUP=0.1
MIN_TIME=0.1
MAX_TIME=0.25
NOISE=0.5
RESERVE_END=20    # merging, compare_torch.py and the tarball
CONV=bundle/bin/conv_bench
RNN=bundle/bin/rnn_bench
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu_conv_rnn_run.XXXXXX") || exit 2
T0=$SECONDS
DEADLINE=$((T0 + BUDGET))
# PyTorch runs with the library path it was started with, not bundle/env.sh's: with the toolkit's cuDNN first on
# LD_LIBRARY_PATH, a PyTorch built against a newer cuDNN refuses to start its cuDNN ("cuDNN version
# incompatibility"), and one built against the same would load that copy instead of its own: either way the
# comparison would no longer be against PyTorch as installed.
if [ -n "${LD_LIBRARY_PATH+set}" ]; then PY=(env "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" python3); else
  PY=(env -u LD_LIBRARY_PATH python3); fi
TIMINGS=()
HAVE=()           # the kernels whose bench is in the bundle

left() { echo $((DEADLINE - SECONDS)); }

wants() { [[ $PASSES == *" $1 "* ]]; }

min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

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
  { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && how="CUT at its ${limit} s limit (rc=$rc)"
  echo "=== [$((SECONDS - T0)) s] $name: $how after $((SECONDS - start)) s"
  TIMINGS+=("$name: $((SECONDS - start)) s, $how")
  return "$rc"
}

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

has_kernel() { local k; for k in "${HAVE[@]}"; do [ "$k" = "$1" ] && return 0; done; return 1; }

write_context() {
  {
    echo "# gpu_conv_rnn_run.sh context, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo; echo "## GPU summary"
    local q=name,pci.device_id,pci.bus_id,driver_version,vbios_version,memory.total,clocks.max.sm,clocks.max.mem
    timeout 15 nvidia-smi --query-gpu=$q,clocks.sm,power.limit,compute_mode,persistence_mode,mig.mode.current \
      --format=csv
    echo; echo "## nvidia-smi"; timeout 15 nvidia-smi
    echo; echo "## host"; uname -a; nproc; free -g; timeout 10 lscpu | head -25
    echo; echo "## bundle"; find bundle -maxdepth 2 -printf '%M %10s %p\n' 2>&1 | head -80
    echo "--- bundle/env.sh"; cat bundle/env.sh 2>&1
    echo "--- LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    local bench
    for bench in "$CONV" "$RNN"; do
      [ -x "$bench" ] || { echo "--- $bench: not in the bundle"; continue; }
      echo "--- ldd $bench"; timeout 10 ldd "$bench" 2>&1
      echo; echo "## $(basename "$bench") --help"; timeout 20 "$bench" --help 2>&1
      echo; echo "## $(basename "$bench") --list --backends=cudnn --shapes=smoke"
      timeout 45 "$bench" --backends=cudnn --shapes=smoke --list 2>&1 | head -40
    done
    echo; echo "## python and torch"
    timeout 60 "${PY[@]}" - <<'EOF' 2>&1
import os, sys
print("python", sys.version.split()[0])
try:
    import torch
except Exception as e:  # torch_conv.py and torch_rnn.py will fail with the same reason
    print("torch: cannot import:", e)
    raise SystemExit
def show(label, get):  # one fact per line; one that this PyTorch lacks says so instead of ending the list
    try:
        print(f"{label}: {get()}")
    except Exception as e:
        print(f"{label}: n/a ({type(e).__name__}: {e})")
show("torch", lambda: f"{torch.__version__}, CUDA {torch.version.cuda}")
show("cuDNN", lambda: torch.backends.cudnn.version())
show("cudnn.is_available", lambda: torch.backends.cudnn.is_available())
show("cudnn.allow_tf32 (default)", lambda: torch.backends.cudnn.allow_tf32)
show("cudnn.benchmark (default)", lambda: torch.backends.cudnn.benchmark)
show("cudnn.deterministic (default)", lambda: torch.backends.cudnn.deterministic)
show("cuda available", lambda: torch.cuda.is_available())
show("device", lambda: torch.cuda.get_device_name(0))
show("capability", lambda: torch.cuda.get_device_capability(0))
show("properties", lambda: torch.cuda.get_device_properties(0))
show("torch._C._select_conv_backend", lambda: hasattr(torch._C, "_select_conv_backend"))
show("torch.cuda._sleep", lambda: hasattr(torch.cuda, "_sleep"))
for k in ("CUDNN_LOGINFO_DBG", "CUDNN_LOGLEVEL_DBG", "TORCH_CUDNN_V8_API_LRU_CACHE_LIMIT", "PYTORCH_CUDA_ALLOC_CONF"):
    print(k, "=", os.environ.get(k, "(unset)"))
def cudnn_loaded():  # which cuDNN this PyTorch loads: the process's maps after one convolution
    x = torch.ones(1, 8, 8, 8, device="cuda")
    torch.nn.functional.conv2d(x, torch.ones(8, 8, 3, 3, device="cuda")).sum().item()
    return sorted({line.split()[-1] for line in open("/proc/self/maps") if "libcudnn" in line})
show("cuDNN loaded by torch", cudnn_loaded)
EOF
    echo; echo "## shape tables (sha256)"
    sha256sum "${SHAPES:-bundle/shapes}"/conv/*.csv "${SHAPES:-bundle/shapes}"/rnn/*.csv shapes/conv/*.csv \
      shapes/rnn/*.csv 2>&1
    echo; echo "## source"; git rev-parse HEAD 2>/dev/null || echo "no git metadata in this copy"
    echo; echo "## environment"; env | grep -E '^(CUDA|CUDNN|NVIDIA|LD_LIBRARY|TORCH|PYTORCH|OMP|DLBENCH)' | sort
    echo; echo "## nvidia-smi -q"; timeout 30 nvidia-smi -q
  } >"$OUT/context.txt" 2>&1
}

# subset KERNEL TABLE PASS ARGS...: tools/subset_table.py of $SHAPES/KERNEL/TABLE.csv into $WORK/tables/PASS/.
subset() {
  local kernel=$1 table=$2 pass=$3
  shift 3
  python3 tools/subset_table.py "$SHAPES/$kernel/$table.csv" "$WORK/tables/$pass" "$@"
}

# bench KERNEL TAG LIMIT_S ARGS...: one conv_bench or rnn_bench invocation, CSV and JSON kept in $WORK.
bench() {
  local kernel=$1 tag=$2 limit=$3 rc bin
  shift 3
  if [ "$kernel" = conv ]; then bin=$CONV; else bin=$RNN; fi
  gpu_state
  step "${kernel}_bench $tag" "$limit" "$bin" --backends=cudnn "${DL_COMMON[@]}" --csv="$WORK/dl_${kernel}_$tag.csv" \
    --benchmark_out="$WORK/dl_${kernel}_$tag.json" --benchmark_out_format=json "$@"
  rc=$?
  echo "    dl_${kernel}_$tag.csv: $(data_rows "$WORK/dl_${kernel}_$tag.csv") rows"
  DL_FILES+=("$WORK/dl_${kernel}_$tag.csv")
  return $rc
}

# torch_run KERNEL TAG LIMIT_S DLBENCH_CSV... -- ARGS...: PyTorch on the problems those dlbench CSVs ran ok.
torch_run() {
  local kernel=$1 tag=$2 limit=$3 from=() f
  shift 3
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    [ -s "$1" ] && [ "$(data_rows "$1")" -gt 0 ] && from+=("--problems-from=$1")
    shift
  done
  shift
  if [ ${#from[@]} -eq 0 ]; then
    echo "=== torch_$kernel $tag: no dlbench rows to compare with: PyTorch skips them too"
    return 0
  fi
  gpu_state
  # Its own budget stops it between cases, 20 s before the hard limit, so its CSV and table stay whole.
  step "torch_$kernel $tag" "$limit" "${PY[@]}" "tools/torch_$kernel.py" --cache=cold --warmup=$WARMUP \
    --min-time=$MIN_TIME --max-time=$MAX_TIME --noise=$NOISE --time-budget=$((limit > 40 ? limit - 20 : limit / 2)) \
    --shapes-dir="$SHAPES" --csv="$WORK/torch_${kernel}_$tag.csv" "${from[@]}" "$@"
  f=$WORK/torch_${kernel}_$tag.csv
  echo "    torch_${kernel}_$tag.csv: $(data_rows "$f") rows"
  TORCH_FILES+=("$f")
}

# run_pass KERNEL TAG TABLES PCT TORCH_PCT [FLOOR_S]: the pass gets PCT % of the time left (at least FLOOR_S, when
# that much is left); each precision of PRECISIONS an equal share of it minus PyTorch's TORCH_PCT %, then PyTorch on
# the problems that ran.
run_pass() {
  local kernel=$1 tag=$2 tables=$3 pct=$4 torch_pct=$5 floor=${6:-0} avail=$(($(left) - RESERVE_END))
  local pass_s=$((avail * pct / 100))
  [ "$pass_s" -lt "$floor" ] && pass_s=$(min "$floor" "$avail")
  local torch_s=$((pass_s * torch_pct / 100)) end=$((SECONDS + pass_s)) i n=${#PRECISIONS[@]} prec share csvs=()
  for ((i = 0; i < n; i++)); do
    prec=${PRECISIONS[$i]}
    share=$(((end - SECONDS - torch_s) / (n - i)))
    bench "$kernel" "${tag}_$prec" "$share" --shapes="$tables" --precisions="$prec" "${KERNEL_FLAGS[@]}"
    csvs+=("$WORK/dl_${kernel}_${tag}_$prec.csv")
  done
  local extra=()
  [ "$kernel" = conv ] && extra=(--layouts=nhwc)
  torch_run "$kernel" "$tag" "$(min "$((end - SECONDS))" "$(($(left) - RESERVE_END))")" "${csvs[@]}" -- \
    --shapes="$tables" --precisions="$(IFS=,; echo "${PRECISIONS[*]}")" "${extra[@]}"
}

run_all() {
  echo "gpu_conv_rnn_run.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ), budget ${BUDGET} s, scratch $WORK"
  [ -x "$CONV" ] && HAVE+=(conv)
  [ -x "$RNN" ] && HAVE+=(rnn)
  if [ ${#HAVE[@]} -eq 0 ] || [ ! -f bundle/env.sh ]; then
    echo "FATAL: bundle/ is missing or incomplete (need bundle/env.sh and bundle/bin/conv_bench or"
    echo "       bundle/bin/rnn_bench): build it with tools/bundle.sh and pass carry=[\"bundle\"] to the device tool."
    write_context
    return 1
  fi
  has_kernel conv || echo "note: bundle/bin/conv_bench is missing: the convolution passes are skipped"
  has_kernel rnn || echo "note: bundle/bin/rnn_bench is missing: the RNN passes are skipped"
  # shellcheck disable=SC1091  # made by tools/bundle.sh; sets LD_LIBRARY_PATH for the CUDA libraries
  source bundle/env.sh || { echo "FATAL: sourcing bundle/env.sh failed"; write_context; return 1; }
  SHAPES=${GPU_RUN_SHAPES_DIR:-bundle/shapes}
  [ -d "$SHAPES/conv" ] || [ -d "$SHAPES/rnn" ] || SHAPES=shapes
  echo "shape tables from $SHAPES"

  mkdir -p "$WORK/preflight" "$WORK/tables"
  gpu_state
  if ! step preflight "$(min 90 "$(($(left) - RESERVE_END))")" bash bundle/preflight.sh "$WORK/preflight"; then
    # A failing test of one backend must not cost the timings of the rest: the benches verify every row they time,
    # so only a failure of the machine itself (libraries, driver, GPU, the tiny run) stops the session.
    if grep -E '^[a-z+]+ +FAIL' "$WORK/preflight/summary.txt" 2>/dev/null | grep -qv '^tests '; then
      echo "FATAL: bundle/preflight.sh failed: see its output above and its logs in raw.tar.gz (preflight/)."
      echo "       Nothing was timed; context.txt still describes the machine."
      write_context
      return 1
    fi
    echo "WARNING: preflight: only device tests failed (see above, and raw.tar.gz preflight/test_*.txt); timing goes"
    echo "         on, every timed row is verified on its own, and the run's exit status will say it failed"
    PREFLIGHT_TESTS_FAILED=1
  fi
  local t=$SECONDS
  write_context  # each command in it has its own limit
  TIMINGS+=("context: $((SECONDS - t)) s")
  grep -m1 -A2 '^name, pci.device_id' "$OUT/context.txt"

  # The flags this build's benches have (they share the harness's, so one --help tells for both, but each is read).
  DL_COMMON=("--warmup=$WARMUP" "--min_time=$MIN_TIME" "--max_time=$MAX_TIME" "--noise=$NOISE")
  local first=$RNN help
  [ -x "$CONV" ] && first=$CONV
  help=$(timeout 20 "$first" --help 2>&1)
  if grep -q -- '--cache=' <<<"$help"; then DL_COMMON+=(--cache=cold); else
    echo "note: this build has no --cache flag: its default mode is used"; fi
  if grep -q -- '--autotune=' <<<"$help"; then DL_COMMON+=("--autotune=$AUTOTUNE"); else
    echo "note: this build has no --autotune flag: the library's heuristic choice is timed"; fi
  if grep -q -- '--workspace_mb=' <<<"$help"; then DL_COMMON+=("--workspace_mb=$WORKSPACE_MB"); else
    echo "note: this build has no --workspace_mb flag"; fi

  # Pass 0: smoke, both kernels.
  local kernel
  for kernel in conv rnn; do
    has_kernel "$kernel" && wants "${kernel}_smoke" || continue
    KERNEL_FLAGS=()
    if [ "$kernel" = conv ] && grep -q -- '--layouts=' <<<"$(timeout 20 "$CONV" --help 2>&1)"; then
      KERNEL_FLAGS=(--layouts=nhwc); fi
    if [ -f "$SHAPES/$kernel/smoke.csv" ]; then
      run_pass "$kernel" smoke "$SHAPES/$kernel/smoke.csv" "$([ "$kernel" = conv ] && echo 12 || echo 14)" 40 40
    else
      echo "note: no $SHAPES/$kernel/smoke.csv: smoke pass skipped"
    fi
  done

  # Pass 1: resnet50's distinct training shapes.
  if ! wants resnet50; then
    echo "=== resnet50 pass not asked for (GPU_RUN_PASSES=$PASSES)"
  elif has_kernel conv && [ -f "$SHAPES/conv/resnet50.csv" ]; then
    local where=(--where=phase=training)
    [ -n "$RESNET_BATCH" ] && where+=("--where=n=$RESNET_BATCH")
    if subset conv resnet50 p1 "${where[@]}" --distinct=n,c,h,w,k,r,s,pad_h,pad_w,stride_h,stride_w,dil_h,dil_w,\
groups --limit="$CONV_ROWS" 2>&1; then
      KERNEL_FLAGS=()
      grep -q -- '--layouts=' <<<"$(timeout 20 "$CONV" --help 2>&1)" && KERNEL_FLAGS=(--layouts=nhwc)
      # The RNN pass after it gets the rest; without one this pass takes all of it.
      run_pass conv p1 "$WORK/tables/p1/resnet50.csv" "$(wants rnn && echo 60 || echo 100)" 40
    else
      echo "=== resnet50 pass skipped: no table subset (see above)"
    fi
  else
    echo "=== resnet50 pass skipped: no conv_bench or no $SHAPES/conv/resnet50.csv"
  fi

  # Pass 2: the first rows of deepspeech2 and gnmt.
  if has_kernel rnn && wants rnn; then
    local tables=() name
    for name in deepspeech2 gnmt; do
      if [ -f "$SHAPES/rnn/$name.csv" ] && subset rnn "$name" p2 --limit="$RNN_ROWS" 2>&1; then
        tables+=("$WORK/tables/p2/$name.csv")
      fi
    done
    KERNEL_FLAGS=()
    if [ ${#tables[@]} -gt 0 ]; then
      run_pass rnn p2 "$(IFS=,; echo "${tables[*]}")" 100 40
    else
      echo "=== RNN pass skipped: no deepspeech2 or gnmt table in $SHAPES/rnn"
    fi
  fi
  gpu_state
  [ -z "${PREFLIGHT_TESTS_FAILED:-}" ]
}

finish() {
  echo "=== [$((SECONDS - T0)) s] collecting results"
  local kernel f files
  for kernel in conv rnn; do
    files=()
    for f in "${DL_FILES[@]}"; do [[ $f == */dl_${kernel}_* ]] && files+=("$f"); done
    merge_csv "$OUT/dlbench_$kernel.csv" "${files[@]}" || echo "no ${kernel}_bench rows"
    files=()
    for f in "${TORCH_FILES[@]}"; do [[ $f == */torch_${kernel}_* ]] && files+=("$f"); done
    merge_csv "$OUT/torch_$kernel.csv" "${files[@]}" || echo "no PyTorch $kernel rows"
  done
  local runs=() torch=()
  for kernel in conv rnn; do
    [ -s "$OUT/dlbench_$kernel.csv" ] && runs+=("$OUT/dlbench_$kernel.csv")
    [ -s "$OUT/torch_$kernel.csv" ] && torch+=("--torch=$OUT/torch_$kernel.csv")
  done
  if [ ${#runs[@]} -gt 0 ] && [ ${#torch[@]} -gt 0 ]; then
    timeout 60 python3 tools/compare_torch.py "${torch[@]}" --out="$OUT/compare.md" "${runs[@]}"
    echo "--- compare.md summary:"
    sed -n '/^## Summary/,/^## [a-z]* cases/p' "$OUT/compare.md" | head -60
  else
    echo "compare.md not written: no dlbench or no PyTorch rows"
  fi
  tar -C "$WORK" -czf "$OUT/raw.tar.gz" . || echo "tar of $WORK failed"
  echo "=== step times:"
  printf '    %s\n' "${TIMINGS[@]}"
  echo "=== [$((SECONDS - T0)) s] done; in \$OUT:"
  ls -la "$OUT"
}

DL_FILES=()
TORCH_FILES=()
DL_COMMON=()
KERNEL_FLAGS=()

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
