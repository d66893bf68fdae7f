#!/usr/bin/env bash
# dlbench bundle preflight: can this machine run the bundle, and what is it?   ./preflight.sh [LOG_DIR]
# Sources env.sh, then checks, in order: the CUDA libraries, ldd of every binary, glibc, libstdc++, libz, the
# NVIDIA driver, the GPU (recorded with nvidia-smi), the library versions found against those compiled against,
# the cuBLAS backend, and one tiny GEMM run. Full logs go to LOG_DIR (default ./preflight-logs); a PASS/FAIL
# table comes last; the exit status is 1 if any check failed.
# Only reads the GPU's state: it never changes clocks, power limits or modes (measure the card as it is).
set -euo pipefail

bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
logdir=${1:-preflight-logs}
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd -P)

checks=() results=() details=()
record() {  # check result detail
  checks+=("$1")
  results+=("$2")
  details+=("$3")
  printf '[%s] %-9s %s\n' "$2" "$1" "$3"
}
info() { sed -n "s/^$1: //p" "$bundle/BUILD_INFO.txt" | head -n 1; }
first_word() { printf '%s\n' "${1%% *}"; }
# Whether a library's major.minor.patch version is at least another's.
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$2" ]; }

# Where the loader would find a library: LD_LIBRARY_PATH, then its cache, then the default folders.
resolve_lib() {
  local dir line
  local -a dirs=()
  IFS=: read -r -a dirs <<<"${LD_LIBRARY_PATH:-}"
  for dir in ${dirs[@]+"${dirs[@]}"}; do
    if [ -n "$dir" ] && [ -e "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  line=$(ldconfig_p | awk -v lib="$1" '$1 == lib && $2 ~ /64/ { print $NF; exit }')
  if [ -n "$line" ]; then echo "$line"; return 0; fi
  for dir in /lib64 /usr/lib64 /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu \
    /usr/lib/aarch64-linux-gnu /lib /usr/lib; do
    if [ -e "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  return 1
}
ldconfig_p() {
  local bin
  for bin in ldconfig /sbin/ldconfig /usr/sbin/ldconfig; do
    if command -v "$bin" >/dev/null 2>&1; then
      "$bin" -p 2>/dev/null || true
      return 0
    fi
  done
}

echo "dlbench preflight: bundle $bundle, logs in $logdir"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -a)"
  echo "LD_LIBRARY_PATH before env.sh: ${LD_LIBRARY_PATH:-}"
  echo
  cat "$bundle/BUILD_INFO.txt"
} >"$logdir/system.txt"

# --- Libraries -----------------------------------------------------------------------------------------------
# shellcheck source-path=SCRIPTDIR source=env.sh
source "$bundle/env.sh" >"$logdir/env.txt" 2>&1
cat "$logdir/env.txt"
required=$(awk '$1 == "required"' "$bundle/cuda-libs.txt" | wc -l)
if [ -n "${DLBENCH_MISSING_LIBS:-}" ]; then
  record libraries FAIL "not found: $DLBENCH_MISSING_LIBS (install a CUDA toolkit or PyTorch's wheels: README.txt)"
elif [ "$required" -eq 0 ]; then
  record libraries PASS "no binary links a CUDA library dynamically (cuda-libs.txt)"
else
  record libraries PASS "all required CUDA libraries found ($required, see env.txt)"
fi

not_found=()
for exe in "$bundle"/bin/* "$bundle"/tests/*; do
  [ -f "$exe" ] || continue
  {
    echo "== $exe"
    ldd "$exe" 2>&1 || true
  } >>"$logdir/ldd.txt"
  while read -r name _; do
    not_found+=("$(basename "$exe"): $name")
  done < <(ldd "$exe" 2>&1 | grep -F 'not found' || true)
done
if [ ${#not_found[@]} -gt 0 ]; then
  record ldd FAIL "not found: $(printf '%s; ' "${not_found[@]}")"
else
  record ldd PASS "every library of bin/$(cd "$bundle/bin" && echo *)$(compgen -G "$bundle/tests/*" >/dev/null &&
    echo " and tests/") resolves"
fi

# --- System libraries --------------------------------------------------------------------------------------
need_glibc=$(info needs_glibc)
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ print $2 }' || true)
[ -n "$glibc" ] || glibc=$(ldd --version 2>/dev/null | head -n 1 | grep -oE '[0-9]+\.[0-9]+$' || true)
if [ -z "$glibc" ]; then
  record glibc FAIL "cannot tell the glibc version (getconf GNU_LIBC_VERSION, ldd --version); need >= $need_glibc"
elif version_ge "$glibc" "$need_glibc"; then
  record glibc PASS "$glibc (need >= $need_glibc)"
else
  record glibc FAIL "$glibc, need >= $need_glibc (build the bundle on an older distribution, or use a newer target)"
fi

need_glibcxx=$(info needs_glibcxx)
first_bin=$(find "$bundle/bin" -maxdepth 1 -type f -perm -u+x | sort | head -n 1)
libstdcxx=$(ldd "$first_bin" 2>/dev/null | awk '$1 ~ /^libstdc\+\+/ && $2 == "=>" { print $3; exit }')
if [ -z "$libstdcxx" ] || [ ! -e "$libstdcxx" ]; then
  record libstdc++ FAIL "no libstdc++.so.6 found for $(basename "$first_bin")"
elif grep -qaF "GLIBCXX_$need_glibcxx" "$libstdcxx"; then
  record libstdc++ PASS "$libstdcxx has GLIBCXX_$need_glibcxx"
else
  record libstdc++ FAIL "$libstdcxx lacks GLIBCXX_$need_glibcxx (needs GCC 12's or a newer libstdc++)"
fi

# cuDNN opens libz itself when it starts and aborts the process, with no error code, if it cannot.
if libz=$(resolve_lib libz.so.1); then
  record libz PASS "$libz"
else
  record libz FAIL "libz.so.1 not found (cuDNN aborts without it; the zlib package provides it)"
fi

# --- Driver and GPU ------------------------------------------------------------------------------------------
toolkit=$(first_word "$(info cuda_toolkit)")
python=${DLBENCH_PYTHON:-python3}
have_python=0
command -v "$python" >/dev/null 2>&1 && have_python=1

# Versions of what the loader picks here, read from the libraries themselves (ctypes: no GPU needed), as lines
# "<name> <version> <file>" or "<name> - <why not>".
lib_soname() { awk -v stem="$1" '$2 ~ "^" stem "\\.so\\.[0-9]+$" { print $2; exit }' "$bundle/cuda-libs.txt"; }
read_versions() {
  "$python" - "$(lib_soname libcublasLt)" "$(lib_soname libcudnn)" "$(lib_soname libnccl)" \
    "$(lib_soname libcudart)" <<'EOF'
import ctypes, sys

def loaded_file(soname):
    # The file the loader actually opened, from this process's memory map.
    stem = soname.split(".so")[0] + ".so"
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split()
                if len(fields) >= 6 and fields[5].rsplit("/", 1)[-1].startswith(stem):
                    return fields[5]
    except OSError:
        pass
    return "?"

def split(code, major_unit):
    return f"{code // major_unit}.{code % major_unit // 100}.{code % 100}"

def query(name, soname, read):
    if not soname:
        print(f"{name} - not used by this bundle")
        return
    try:
        lib = ctypes.CDLL(soname)
    except OSError as error:
        print(f"{name} - {soname} cannot be loaded: {error}")
        return
    try:
        print(f"{name} {read(lib)} {loaded_file(soname)}")
    except Exception as error:  # a missing symbol, an error status
        print(f"{name} - {soname} loaded but its version query failed: {error}")

def int_out(lib, function):
    value = ctypes.c_int(0)
    status = getattr(lib, function)(ctypes.byref(value))
    if status != 0:
        raise RuntimeError(f"{function} returned {status}")
    return value.value

def size_t_result(lib, function):
    fn = getattr(lib, function)
    fn.restype = ctypes.c_size_t
    return fn()

cublaslt, cudnn, nccl, cudart = sys.argv[1:5]
# cuBLASLt: major*10000 + minor*100 + patch. cuDNN 9: the same (cuDNN 8 used major*1000). NCCL >= 2.9: the same
# (older: major*1000). CUDA runtime and driver: major*1000 + minor*10.
query("cuBLASLt", cublaslt, lambda lib: split(size_t_result(lib, "cublasLtGetVersion"), 10000))
query("cuDNN", cudnn, lambda lib: (lambda v: split(v, 10000 if v >= 90000 else 1000))(
    size_t_result(lib, "cudnnGetVersion")))
query("NCCL", nccl, lambda lib: (lambda v: split(v, 10000 if v >= 20900 else 1000))(int_out(lib, "ncclGetVersion")))
query("cudart", cudart, lambda lib: (lambda v: f"{v // 1000}.{v % 1000 // 10}")(int_out(lib, "cudaRuntimeGetVersion")))
query("driver", "libcuda.so.1", lambda lib: (lambda v: f"{v // 1000}.{v % 1000 // 10}")(
    int_out(lib, "cuDriverGetVersion")))
EOF
}
# Without python, what the file names say (a toolkit's libcudnn.so.9.19.0; wheels' files carry only the major).
read_versions_from_files() {
  local name stem soname file
  for name in cuBLASLt:libcublasLt cuDNN:libcudnn NCCL:libnccl cudart:libcudart driver:libcuda; do
    stem=${name#*:}
    soname=$(lib_soname "$stem")
    [ "$stem" = libcuda ] && soname=libcuda.so.1
    if [ -z "$soname" ]; then
      echo "${name%%:*} - not used by this bundle"
    elif file=$(resolve_lib "$soname"); then
      file=$(readlink -f "$file")
      echo "${name%%:*} $(basename "$file" | sed -n 's/^.*\.so\.//p') $file"
    else
      echo "${name%%:*} - $soname not found"
    fi
  done
}
if [ "$have_python" -eq 1 ]; then
  read_versions >"$logdir/versions.txt" 2>&1 || echo "(version query failed)" >>"$logdir/versions.txt"
else
  read_versions_from_files >"$logdir/versions.txt"
fi
version_of() { awk -v n="$1" '$1 == n { print ($2 == "-" ? "" : $2); exit }' "$logdir/versions.txt"; }

driver=$(version_of driver)
toolkit_major=${toolkit%%.*}
toolkit_mm=$(echo "$toolkit" | cut -d. -f1-2)
if [ -z "$driver" ]; then
  why=$(awk '$1 == "driver" { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' "$logdir/versions.txt")
  case "$why" in
    *"No such file"* | *"not found"*) why="libcuda.so.1 not found" ;;
    "") why="its version could not be read, see $logdir/versions.txt" ;;
  esac
  record driver FAIL "no usable NVIDIA driver here ($why); CUDA $toolkit_major needs driver 580 or newer"
elif [ "${driver%%.*}" -lt "$toolkit_major" ]; then
  record driver FAIL "driver supports CUDA $driver, the bundle was built with CUDA $toolkit: install a newer driver"
elif ! version_ge "$driver" "$toolkit_mm"; then
  record driver WARN "driver supports CUDA $driver, older than the toolkit $toolkit (minor-version compatibility only)"
else
  record driver PASS "driver supports CUDA $driver (bundle built with $toolkit)"
fi

if ! command -v nvidia-smi >/dev/null 2>&1; then
  record gpu WARN "nvidia-smi not found: the GPU's state (clocks, power, temperature) is not recorded"
else
  query=name,pci.device_id,driver_version,clocks.sm,clocks.max.sm,power.draw,power.limit,temperature.gpu
  rc=0
  timeout 60 nvidia-smi --query-gpu="$query" --format=csv >"$logdir/nvidia-smi.csv" 2>&1 || rc=$?
  timeout 60 nvidia-smi -q >"$logdir/nvidia-smi-q.txt" 2>&1 || true
  cat "$logdir/nvidia-smi.csv"
  if [ "$rc" -ne 0 ]; then
    record gpu FAIL "nvidia-smi failed (exit $rc): $(head -n 1 "$logdir/nvidia-smi.csv")"
  else
    gpus=$(($(wc -l <"$logdir/nvidia-smi.csv") - 1))
    record gpu PASS "$gpus GPU(s): $(sed -n 2p "$logdir/nvidia-smi.csv")"
  fi
fi

# --- Versions ------------------------------------------------------------------------------------------------
echo
printf '%-9s %-22s %s\n' library "compiled against" "found here"
older=()
for pair in cuBLASLt:cublas_header cuDNN:cudnn_header NCCL:nccl_header; do
  name=${pair%%:*}
  header=$(first_word "$(info "${pair#*:}")")
  found=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ +/, ""); print; exit }' "$logdir/versions.txt")
  printf '%-9s %-22s %s\n' "$name" "${header:-?}" "${found:-?}"
  runtime=$(version_of "$name")
  # A library older than its headers lacks whatever was added since: the code must keep to APIs both have.
  if [ -n "$runtime" ] && [ -n "$header" ] && ! version_ge "$runtime" "$header"; then
    older+=("$name $runtime < $header")
  fi
done
printf '%-9s %-22s %s\n' CUDA "$toolkit (toolkit)" "driver ${driver:-none}; runtime $(version_of cudart || true)"
echo
if [ "$have_python" -eq 0 ]; then
  record versions WARN "$python not found: versions from file names only ($logdir/versions.txt)"
elif [ ${#older[@]} -gt 0 ]; then
  record versions WARN "older than compiled against: $(printf '%s; ' "${older[@]}")"
else
  record versions PASS "no library older than its headers ($logdir/versions.txt)"
fi

# --- A tiny run ----------------------------------------------------------------------------------------------
gemm=$bundle/bin/gemm_bench
tiny=(--backends=cublas --shapes=smoke --precisions=fp32)
backend_ok=0
if [ ! -x "$gemm" ]; then
  record backend FAIL "$gemm is missing"
else
  rc=0
  timeout 120 "$gemm" --list "${tiny[@]}" >"$logdir/gemm-list.txt" 2>&1 || rc=$?
  line=$(awk '/^Backends:/ { on = 1; next } on && $1 == "cublas" { $1 = ""; sub(/^ +/, ""); print; exit }' \
    "$logdir/gemm-list.txt")
  if [ "$rc" -ne 0 ]; then
    message=$(grep -m 1 'error:' "$logdir/gemm-list.txt" | sed 's/^.*error: //' || true)
    record backend FAIL "gemm_bench --list exited $rc: ${message:-see $logdir/gemm-list.txt}"
  elif [ -z "$line" ]; then
    record backend FAIL "gemm_bench --list did not report the cublas backend (see $logdir/gemm-list.txt)"
  elif [[ $line == unavailable:* ]]; then
    record backend FAIL "cublas backend $line"
  else
    record backend PASS "cublas: $line"
    backend_ok=1
  fi
fi

if [ "$backend_ok" -eq 0 ]; then
  record run SKIP "not run: no usable cublas backend (see backend)"
else
  rc=0
  timeout 600 "$gemm" "${tiny[@]}" --max_time=0.2 --csv="$logdir/preflight.csv" >"$logdir/gemm-run.txt" 2>&1 ||
    rc=$?
  summary=$(grep -m 1 '^dlbench: ' "$logdir/gemm-run.txt" || true)
  # "dlbench: 3 ok, 0 skipped, 0 failed; CSV in ...": every case of the tiny run must be ok.
  counts=$(echo "$summary" | sed -n 's/^dlbench: \([0-9]*\) ok, \([0-9]*\) skipped, \([0-9]*\) failed.*/\1 \2 \3/p')
  read -r ok skipped failed_cases <<<"${counts:-0 0 0}"
  if [ "$rc" -eq 124 ]; then
    record run FAIL "gemm_bench did not finish within 600 s (see $logdir/gemm-run.txt)"
  elif [ "$rc" -gt 128 ]; then
    record run FAIL "gemm_bench was killed by signal $((rc - 128)) (see $logdir/gemm-run.txt)"
  elif [ "$rc" -ne 0 ] || [ "$ok" -eq 0 ] || [ "$skipped" -ne 0 ] || [ "$failed_cases" -ne 0 ]; then
    record run FAIL "gemm_bench exited $rc: ${summary:-no summary} (see $logdir/gemm-run.txt)"
  else
    record run PASS "${summary#dlbench: }"
  fi
fi

# --- The device tests ----------------------------------------------------------------------------------------
# The GPU code checked on this GPU: device-side inputs bit for bit equal to the host's, CUDA-event timing of a
# kernel of known length in cold and hot mode, cuBLAS on the smoke table in every precision against the reference.
if [ "$backend_ok" -eq 0 ]; then
  record tests SKIP "not run: no usable cublas backend (see backend)"
elif ! compgen -G "$bundle/tests/test_*" >/dev/null; then
  record tests WARN "this bundle has no tests/ folder"
else
  failed_tests=()
  for t in "$bundle"/tests/test_*; do
    rc=0
    timeout 600 "$t" --gtest_brief=1 >"$logdir/$(basename "$t").txt" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || failed_tests+=("$(basename "$t") (exit $rc)")
  done
  if [ ${#failed_tests[@]} -gt 0 ]; then
    record tests FAIL "${failed_tests[*]}: see $logdir/test_*.txt"
  else
    record tests PASS "$(cd "$bundle/tests" && echo test_*) (logs in $logdir)"
  fi
fi

# --- Summary -------------------------------------------------------------------------------------------------
failed=0
for result in "${results[@]}"; do
  if [ "$result" = FAIL ]; then failed=$((failed + 1)); fi
done
{
  echo
  echo "dlbench preflight summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), logs in $logdir)"
  printf '%-10s %-6s %s\n' check result detail
  for i in "${!checks[@]}"; do
    printf '%-10s %-6s %s\n' "${checks[$i]}" "${results[$i]}" "${details[$i]}"
  done
  if [ "$failed" -gt 0 ]; then
    echo "FAIL: $failed check(s) failed"
  else
    echo "PASS: this machine can run the bundle"
  fi
} | tee "$logdir/summary.txt"
[ "$failed" -eq 0 ]
