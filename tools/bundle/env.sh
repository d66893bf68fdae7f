# dlbench bundle environment. Source it, in bash:   source env.sh
#
# Finds the CUDA libraries the bundle's binaries use (listed in cuda-libs.txt) on this machine, puts their folders
# and the bundle's lib/ first on LD_LIBRARY_PATH, points DLBENCH_SHAPES_DIR at the bundle's shape tables, and
# prints where each library was found. Where it looks, in this order:
#   path      folders already on LD_LIBRARY_PATH
#   ldconfig  the system loader's cache (ldconfig -p)
#   toolkit   $CUDA_HOME/lib64, /usr/local/cuda/lib64, /usr/local/cuda-*/lib64 (newest first)
#   wheels    PyTorch's pip wheels, located by python3: nvidia.cu13, nvidia.cublas, nvidia.cuda_runtime,
#             nvidia.cudnn, nvidia.nccl (each <package>/lib)
# Settings: CUDA_HOME (a toolkit to try first), DLBENCH_PYTHON (the python whose wheels count, e.g. a venv's;
# default python3), DLBENCH_LIB_SOURCES (which places to look in and in what order, e.g. "wheels toolkit").
# A toolkit's lib64/stubs folder is never used: its libcuda.so is a stub that makes every CUDA call fail with
# cudaErrorStubLibrary, so it is also taken off LD_LIBRARY_PATH if it is there.
#
# This file runs inside the user's shell: it never exits it, works under `set -eu` and `set -o pipefail`, calls
# external programs through `command` (aliases), and leaves behind only LD_LIBRARY_PATH, DLBENCH_SHAPES_DIR,
# DLBENCH_BUNDLE (this folder) and DLBENCH_MISSING_LIBS (required libraries not found; empty when all were).
# shellcheck shell=bash

if [ -z "${BASH_VERSION:-}" ]; then
  echo "env.sh: source this from bash" >&2
  # shellcheck disable=SC2317  # reached only when not sourced
  return 0 2>/dev/null || exit 2
fi
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "env.sh sets variables in the shell that sources it; run: source $0" >&2
  exit 2
fi

# Every folder is checked with -e on the library's file name: exactly what the loader will try.
_dlbench_has() { [ -n "$1" ] && [ -e "$1/$2" ]; }

# Prints the folders PyTorch's NVIDIA wheels put their libraries in, as "<module><TAB><folder>" lines.
_dlbench_wheel_dirs() {
  local py=${DLBENCH_PYTHON:-python3}
  command -v "$py" >/dev/null 2>&1 || return 0
  command "$py" -c '
import importlib.util, os
for name in ("nvidia.cu13", "nvidia.cublas", "nvidia.cuda_runtime", "nvidia.cudnn", "nvidia.nccl"):
    try:
        spec = importlib.util.find_spec(name)
    except Exception:  # the parent package "nvidia" is missing, or a broken install
        continue
    for location in (spec.submodule_search_locations or []) if spec else []:
        lib = os.path.join(location, "lib")
        if os.path.isdir(lib):
            print(name + "\t" + lib)
' 2>/dev/null || true
}

_dlbench_env_main() {
  local IFS=$' \t\n'
  local bundle list_file lib_dir
  bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P) || return 0
  list_file=$bundle/cuda-libs.txt
  lib_dir=$bundle/lib
  export DLBENCH_BUNDLE=$bundle
  DLBENCH_MISSING_LIBS=""

  # LD_LIBRARY_PATH as a list, without empty entries (an empty entry means the current folder) or stubs.
  local -a path_dirs=() entries=()
  local dir
  IFS=: read -r -a entries <<<"${LD_LIBRARY_PATH:-}"
  for dir in ${entries[@]+"${entries[@]}"}; do
    [ -n "$dir" ] || continue
    if [[ ${dir%/} == */stubs || ${dir%/} == stubs ]]; then
      echo "dlbench env: removed $dir from LD_LIBRARY_PATH (CUDA's stub libraries make every call fail)"
      continue
    fi
    path_dirs+=("$dir")
  done

  local -a sources
  read -r -a sources <<<"${DLBENCH_LIB_SOURCES:-path ldconfig toolkit wheels}"

  # Each source's folders, gathered once.
  local cache="" ldconfig_bin
  for ldconfig_bin in ldconfig /sbin/ldconfig /usr/sbin/ldconfig; do
    if command -v "$ldconfig_bin" >/dev/null 2>&1; then
      cache=$(command "$ldconfig_bin" -p 2>/dev/null) || cache=""
      break
    fi
  done
  local -a toolkit_dirs=()
  [ -n "${CUDA_HOME:-}" ] && toolkit_dirs+=("$CUDA_HOME/lib64" "$CUDA_HOME/lib")
  toolkit_dirs+=(/usr/local/cuda/lib64)
  while IFS= read -r dir; do
    [ -n "$dir" ] && toolkit_dirs+=("$dir")
  done < <(compgen -G "/usr/local/cuda-*/lib64" | command sort -rV)
  local -a wheel_dirs=() wheel_names=()
  local name
  if [[ " ${sources[*]} " == *" wheels "* ]]; then
    while IFS=$'\t' read -r name dir; do
      [ -n "$dir" ] || continue
      wheel_names+=("$name")
      wheel_dirs+=("$dir")
    done < <(_dlbench_wheel_dirs)
  fi

  # Find each library. "required" ones a binary links (cuda-libs.txt says which); "optional" ones are only
  # reported, so a missing one is no error.
  local -a added=()
  local need lib found where source i line real
  local cache_re='^[[:space:]]*([^[:space:]]+)[[:space:]]+\(([^)]*)\)[[:space:]]+=>[[:space:]]+(.+)$'
  if [ ! -f "$list_file" ]; then
    echo "dlbench env: $list_file is missing: this folder is not a complete bundle" >&2
  else
    while read -r need lib; do
      case "$need" in required | optional) ;; *) continue ;; esac
      found=""
      where=""
      for source in ${sources[@]+"${sources[@]}"}; do
        case "$source" in
          path)
            for dir in ${path_dirs[@]+"${path_dirs[@]}"}; do
              if _dlbench_has "$dir" "$lib"; then found=$dir; where="LD_LIBRARY_PATH"; break; fi
            done
            ;;
          ldconfig)
            # Lines look like "	libcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9"; the
            # "64" skips 32-bit entries of multilib systems.
            while IFS= read -r line; do
              [[ $line == *"$lib "* ]] || continue
              if [[ $line =~ $cache_re ]] && [ "${BASH_REMATCH[1]}" = "$lib" ] &&
                [[ ${BASH_REMATCH[2]} == *64* ]] && [ -e "${BASH_REMATCH[3]}" ]; then
                found=$(dirname -- "${BASH_REMATCH[3]}")
                where="system loader cache"
                break
              fi
            done <<<"$cache"
            ;;
          toolkit)
            for dir in "${toolkit_dirs[@]}"; do
              if _dlbench_has "$dir" "$lib"; then found=$dir; where="CUDA toolkit"; break; fi
            done
            ;;
          wheels)
            for i in "${!wheel_dirs[@]}"; do
              if _dlbench_has "${wheel_dirs[$i]}" "$lib"; then
                found=${wheel_dirs[$i]}
                where="pip wheel ${wheel_names[$i]}"
                break
              fi
            done
            ;;
          *) echo "dlbench env: DLBENCH_LIB_SOURCES: unknown source '$source' (path ldconfig toolkit wheels)" >&2 ;;
        esac
        [ -n "$found" ] && break
      done
      if [ -n "$found" ]; then
        real=$(cd "$found" 2>/dev/null && pwd -P) && found=$real
        printf 'dlbench env: %-40s %s (%s)\n' "$lib" "$found" "$where"
        # The loader finds cached libraries by itself; everything else needs its folder on the path.
        if [ "$where" != "system loader cache" ] && [ "$where" != "LD_LIBRARY_PATH" ]; then
          added+=("$found")
        fi
      elif [ "$need" = required ]; then
        printf 'dlbench env: %-40s NOT FOUND (a binary needs it)\n' "$lib"
        DLBENCH_MISSING_LIBS+="${DLBENCH_MISSING_LIBS:+ }$lib"
      else
        printf 'dlbench env: %-40s not found (optional: no binary in this bundle links it)\n' "$lib"
      fi
    done <"$list_file"
  fi

  # New LD_LIBRARY_PATH: the bundle's lib/, the folders found, then what was there, each folder once.
  local -a order=("$lib_dir" ${added[@]+"${added[@]}"} ${path_dirs[@]+"${path_dirs[@]}"})
  local new="" seen=":"
  for dir in "${order[@]}"; do
    case "$seen" in *":$dir:"*) continue ;; esac
    seen+="$dir:"
    new+="${new:+:}$dir"
  done
  export LD_LIBRARY_PATH=$new
  export DLBENCH_SHAPES_DIR=$bundle/shapes
  echo "dlbench env: LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "dlbench env: DLBENCH_SHAPES_DIR=$DLBENCH_SHAPES_DIR"
  if [ -n "$DLBENCH_MISSING_LIBS" ]; then
    echo "dlbench env: missing: $DLBENCH_MISSING_LIBS. Install the CUDA toolkit or PyTorch's wheels, or set" \
      "CUDA_HOME / DLBENCH_PYTHON to where they are (see README.txt)" >&2
  fi
}

# `|| true` also turns off errexit inside the function, so a `set -e` shell survives any failed test in it.
_dlbench_env_main || true
unset -f _dlbench_env_main _dlbench_has _dlbench_wheel_dirs
