#!/usr/bin/env bash
# Checks a bundle written by tools/bundle.sh on a machine without a GPU (CI runs it after building one):
#   tools/check_bundle.sh BUNDLE_DIR
# In a clean environment (only PATH and HOME kept, as on a fresh login) and a strict shell (set -euo pipefail):
#   - env.sh sources without error and finds every required CUDA library;
#   - ldd resolves every library of every binary in bin/ and tests/, and each library shipped in lib/ from lib/ itself;
#   - no CUDA stubs folder ends up on LD_LIBRARY_PATH;
#   - gemm_bench starts (--help);
#   - the device tests in tests/ run and pass (without a GPU their device parts skip, saying why).
# preflight.sh's driver, GPU and benchmark checks need a GPU and are not run here.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: tools/check_bundle.sh BUNDLE_DIR" >&2; exit 2; }
bundle=$(cd "$1" && pwd -P)
errors=()
for file in env.sh preflight.sh README.txt BUILD_INFO.txt cuda-libs.txt shapes/gemm/smoke.csv; do
  [ -e "$bundle/$file" ] || errors+=("$file is missing")
done
compgen -G "$bundle/bin/*" >/dev/null || errors+=("bin/ is empty")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The inner shell prints env.sh's report, then "LD_LIBRARY_PATH=...", "MISSING=...", and each binary's ldd.
rc=0
# shellcheck disable=SC2016  # the script is expanded by the inner shell
env -i PATH="$PATH" HOME="${HOME:-/}" bash --noprofile --norc -c '
  set -euo pipefail
  source "$1/env.sh"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "MISSING=$DLBENCH_MISSING_LIBS"
  for exe in "$1"/bin/* "$1"/tests/*; do
    [ -f "$exe" ] || continue
    echo "== $(basename "$exe")"
    ldd "$exe"
  done
  if [ -x "$1/bin/gemm_bench" ]; then
    "$1/bin/gemm_bench" --help >/dev/null || echo "HELP_FAILED=$?"
  fi
  for t in "$1"/tests/*; do
    [ -x "$t" ] || continue
    rc=0
    "$t" --gtest_brief=1 >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || echo "TEST_FAILED=${t##*/} exit $rc"
  done
' _ "$bundle" >"$log" 2>&1 || rc=$?
cat "$log"
[ "$rc" -eq 0 ] || errors+=("sourcing env.sh and running ldd in a clean strict shell failed (exit $rc)")

missing=$(sed -n 's/^MISSING=//p' "$log")
[ -z "$missing" ] || errors+=("env.sh did not find required libraries: $missing")
if sed -n 's/^LD_LIBRARY_PATH=//p' "$log" | tr ':' '\n' | grep -qE '/stubs/?$'; then
  errors+=("LD_LIBRARY_PATH contains a CUDA stubs folder (its libcuda.so makes every CUDA call fail)")
fi
while IFS= read -r failed_test; do
  errors+=("tests/${failed_test#TEST_FAILED=} (run it with the bundle's env.sh sourced to see why)")
done < <(grep '^TEST_FAILED=' "$log" || true)
if grep -q '^HELP_FAILED=' "$log"; then
  errors+=("bin/gemm_bench --help failed (exit $(sed -n 's/^HELP_FAILED=//p' "$log"))")
fi

exe=""
while IFS= read -r line; do
  if [[ $line == "== "* ]]; then
    exe=${line#== }
    continue
  fi
  read -r name arrow path _ <<<"$line" || true
  [ "$arrow" = "=>" ] || continue
  if [ "$path" = not ]; then
    case "$name" in
      libcuda.so.* | libnvidia-*)
        errors+=("$exe: $name not found: it belongs to the NVIDIA driver, so this binary cannot even start on a\
 machine without one; let the CUDA runtime load the driver at run time instead of linking it") ;;
      *) errors+=("$exe: $name not found") ;;
    esac
  elif [ -e "$bundle/lib/$name" ] && [ "$(realpath -m -- "$path")" != "$bundle/lib/$name" ]; then
    errors+=("$exe: $name resolves to $path instead of the bundle's lib/")
  fi
done <"$log"

if [ ${#errors[@]} -gt 0 ]; then
  printf 'check_bundle: FAIL: %s\n' "${errors[@]}" >&2
  exit 1
fi
echo "check_bundle: PASS: $bundle (every library of $(cd "$bundle" && echo bin/* tests/*) resolves; tests pass)"
