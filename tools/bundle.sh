#!/usr/bin/env bash
# Builds dlbench for NVIDIA GPUs and writes a self-contained folder to copy to a GPU machine that has no internet
# and no package manager (README.md, "Running on a GPU machine without internet"):
#   bin/            every benchmark binary the build produced
#   tests/          the tests that check the GPU code on the GPU (tests/test_cuda, ...: run them after preflight)
#   lib/            the shared libraries the target cannot be expected to have (in practice Google Benchmark);
#                   the binaries find them through their RPATH $ORIGIN/../lib
#   shapes/         the shape tables
#   env.sh          to source on the target: finds the CUDA libraries there (toolkit, loader cache or pip wheels)
#   preflight.sh    checks libraries, driver, GPU and one tiny run; full logs and a PASS/FAIL table
#   BUILD_INFO.txt  what was built, how, and against which library versions; what the target needs
#   cuda-libs.txt   the CUDA library names env.sh looks for
# The CUDA libraries themselves (cuBLAS, cuDNN, NCCL, hundreds of MiB, licensed separately) are never copied:
# the target has a driver and a toolkit or PyTorch's wheels, and env.sh finds them there.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: tools/bundle.sh [--out DIR] [--arch LIST] [--build-dir DIR] [--no-build]
  --out DIR        where to write the bundle; an older bundle there is replaced (default: bundle)
  --arch LIST      CUDA architectures in CMake's syntax: 90 (H100/H200), "80;90" (adds A100); each one adds
                   build time (default: 90)
  --build-dir DIR  build folder, configured with the 'bundle' preset (default: build-bundle)
  --no-build       bundle what the build folder already holds, without configuring or building
Relative paths are taken from the current directory.
EOF
}

die() {
  echo "bundle: error: $*" >&2
  exit 1
}

out="bundle"
arch="90"
build_dir="build-bundle"
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --arch) [ $# -ge 2 ] || die "--arch needs a list such as 90 or \"80;90\""; arch=$2; shift 2 ;;
    --arch=*) arch=${1#*=}; shift ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a folder"; build_dir=$2; shift 2 ;;
    --build-dir=*) build_dir=${1#*=}; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
if [ -z "$out" ] || [ -z "$build_dir" ] || [ -z "$arch" ]; then
  die "--out, --build-dir and --arch must not be empty"
fi
# Paths as the caller typed them, made absolute before moving to the project root.
out=$(realpath -m -- "$out")
build_dir=$(realpath -m -- "$build_dir")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# --- Tools ---------------------------------------------------------------------------------------------------
missing=()
have() { command -v "$1" >/dev/null 2>&1; }
if [ "$build" -eq 1 ]; then
  have cmake || missing+=("cmake (tools/setup.sh installs it)")
  have ninja || missing+=("ninja (tools/setup.sh installs it, Debian package ninja-build)")
  # The same search as cmake/cuda.cmake, so that the check and the build agree on the compiler.
  if [ -n "${CUDACXX:-}" ]; then
    nvcc=$(command -v "$CUDACXX" || echo "$CUDACXX")
  elif [ -x /usr/local/cuda/bin/nvcc ]; then
    nvcc=/usr/local/cuda/bin/nvcc
  else
    nvcc=$(command -v nvcc || true)
  fi
  [ -n "$nvcc" ] && [ -x "$nvcc" ] ||
    missing+=("nvcc (install the CUDA toolkit; if it is installed, put its bin/ on PATH or set CUDACXX)")
fi
have ldd || missing+=("ldd (part of glibc: Debian package libc-bin)")
have readelf || missing+=("readelf (Debian package binutils)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'bundle: missing: %s\n' "${missing[@]}" >&2
  exit 1
fi

# The output folder is deleted and rewritten: refuse anything that is not an earlier bundle or empty, and any
# folder inside the project that git would see (bundles are build products, never committed).
if [ -e "$out" ]; then
  [ -d "$out" ] || die "$out exists and is not a folder"
  if [ ! -f "$out/BUILD_INFO.txt" ] && [ -n "$(ls -A "$out")" ]; then
    die "$out exists and does not hold a bundle (no BUILD_INFO.txt); not replacing it"
  fi
fi
case "$out/" in
  "$root/") die "--out must not be the project itself" ;;
  "$root"/*)
    if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
      ! git -C "$root" check-ignore -q "${out#"$root"/}/"; then
      die "$out is inside the project but not ignored by git; use bundle/ or a folder under build-*/"
    fi
    ;;
esac

# --- Build ---------------------------------------------------------------------------------------------------
if [ "$build" -eq 1 ]; then
  echo "bundle: configuring $build_dir (preset bundle, CUDA architectures $arch)"
  cmake --preset bundle -B "$build_dir" -DCMAKE_CUDA_ARCHITECTURES="$arch" -DCMAKE_CUDA_COMPILER="$nvcc" ||
    die "configure failed (above); tools/setup.sh installs the build dependencies (Google Benchmark among them)"
  echo "bundle: building with $(nproc) jobs"
  cmake --build "$build_dir" -j "$(nproc)" || die "build failed (above)"
else
  [ -f "$build_dir/CMakeCache.txt" ] || die "--no-build: $build_dir is not a configured build folder"
fi

# The tests that check the GPU code on the GPU itself (device-side inputs equal to the host's, event timing of a
# kernel of known length, every backend on the smoke tables in every precision, each GPU library's host-side
# mapping, NCCL's exact allreduce over every visible GPU) travel in tests/; they need nothing from the source tree.
# The other tests are for the build machine and stay behind. They are matched by name, so a new backend's plan test or a new kernel's conformance test travels
# without an edit here.
mapfile -t device_tests < <(find "$build_dir/bin" -maxdepth 1 -type f -perm -u+x \
  \( -name 'test_cuda' -o -name 'test_cudnn_*' -o -name 'test_nccl' -o -name 'test_*conformance' -o -name 'test_*_plan' \) \
  -printf '%f\n' 2>/dev/null | sort)
mapfile -t exes < <(find "$build_dir/bin" -maxdepth 1 -type f -perm -u+x ! -name 'test_*' ! -name 'faulty_*' \
  2>/dev/null | sort)
[ ${#exes[@]} -gt 0 ] || die "no executables in $build_dir/bin"
tests=()
for t in "${device_tests[@]}"; do
  [ -x "$build_dir/bin/$t" ] && tests+=("$build_dir/bin/$t")
done
for exe in "${exes[@]}" "${tests[@]}"; do
  readelf -h "$exe" >/dev/null 2>&1 || die "$exe is not an ELF binary"
  # DT_RPATH (not DT_RUNPATH) with $ORIGIN/../lib is what lets a bundle run without LD_LIBRARY_PATH and covers
  # the bundled libraries' own dependencies; only the bundle preset sets it. Nothing else may be in it: a
  # DT_RPATH folder outranks LD_LIBRARY_PATH, so a build machine's folder there would decide, on the target,
  # which CUDA libraries load, whatever env.sh found.
  rpath=$(readelf -d "$exe" | sed -n 's/.*(RPATH).*\[\(.*\)\]$/\1/p')
  # shellcheck disable=SC2016  # a literal $ORIGIN
  [ "$rpath" = '$ORIGIN/../lib' ] ||
    die "$exe has RPATH '$rpath', not exactly \$ORIGIN/../lib: configure $build_dir with the bundle preset"
done

# --- Libraries -----------------------------------------------------------------------------------------------
# Three kinds of library: the system's own (glibc, the GCC runtime), which every Linux has and which must never
# be copied (a copied libc breaks the target's loader); CUDA's, which come from the target's driver, toolkit or
# wheels; everything else, which is copied into lib/.
system_re='^(linux-vdso|linux-gate|ld-linux[-a-z0-9_.]*|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil'
system_re+='|libanl|libnsl|libstdc\+\+|libgcc_s)\.so'
driver_re='^lib(cuda|nvidia-[a-z-]+)\.so'
cuda_re='^lib(cudart|cublas|cublasLt|cudnn[a-z_]*|nccl|nvrtc[-a-z.]*|nvJitLink|nvToolsExt|nvtx3interop|cufft|cufftw'
cuda_re+='|curand|cusparse|cusolver|cusolverMg|cupti|nvblas)\.so'
is_system_lib() { [[ $1 =~ $system_re ]]; }
is_driver_lib() { [[ $1 =~ $driver_re ]]; }
is_cuda_lib() { is_driver_lib "$1" || [[ $1 =~ $cuda_re ]]; }

# "name<TAB>path" for each library ldd resolves for a file; path is "not found" when it does not resolve.
ldd_pairs() {
  ldd "$1" | awk '$2 == "=>" { print $1 "\t" ($3 == "not" ? "not found" : $3) }'
}

declare -A bundled=() cuda_needed=() cuda_dir=()
driver_missing=()
for exe in "${exes[@]}" "${tests[@]}"; do
  while IFS=$'\t' read -r name path; do
    if is_system_lib "$name"; then
      continue
    elif [ "$path" = "not found" ]; then
      if is_driver_lib "$name"; then
        # The driver's libraries exist only where a driver is installed: the target, not necessarily here.
        driver_missing+=("$name")
        continue
      fi
      die "$(basename "$exe") needs $name, which does not resolve on this machine"
    elif is_cuda_lib "$name"; then
      is_driver_lib "$name" || { cuda_needed[$name]=required; cuda_dir[$name]=$(dirname "$path"); }
    else
      bundled[$name]=$path
    fi
  done < <(ldd_pairs "$exe")
done

# cuDNN loads its sub-libraries (graph, engines, ops, ...) with dlopen, so ldd never lists them, and a missing
# one aborts the process: a binary that needs libcudnn needs them all.
for name in "${!cuda_needed[@]}"; do
  if [[ $name =~ ^libcudnn\.so\.([0-9]+)$ ]]; then
    for sub in "${cuda_dir[$name]}"/libcudnn_*.so."${BASH_REMATCH[1]}"; do
      if [ -e "$sub" ]; then cuda_needed[$(basename "$sub")]=required; fi
    done
  fi
done

# The toolkit's own copies name the rest of the family dlbench builds against. env.sh looks for them too, marked
# optional, so preflight can report the versions the target offers before a binary needs them.
nvcc=$(sed -n 's/^set(CMAKE_CUDA_COMPILER "\(.*\)")$/\1/p' "$build_dir"/CMakeFiles/*/CMakeCUDACompiler.cmake |
  head -n 1)
[ -n "$nvcc" ] || die "$build_dir has no CUDA compiler configured (the bundle preset needs DLBENCH_WITH_CUDA=ON)"
toolkit=$(realpath -- "$(dirname "$nvcc")/..")
for dir in "$toolkit/lib64" "$toolkit/lib"; do
  [ -d "$dir" ] || continue
  for file in "$dir"/lib*.so.*; do
    name=$(basename "$file")
    # SONAME-style names only (libcudnn.so.9, not libcudnn.so.9.19.0).
    if [[ $name =~ ^lib(cublasLt|cublas|cudart|cudnn[a-z_]*|nccl)\.so\.[0-9]+$ ]] &&
      [ -z "${cuda_needed[$name]:-}" ]; then
      cuda_needed[$name]=optional
    fi
  done
done

# --- Write the bundle ----------------------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/tests"
for exe in "${exes[@]}"; do
  cp -p "$exe" "$out/bin/"
done
for exe in "${tests[@]}"; do
  cp -p "$exe" "$out/tests/"
done
# By content, under the name the binaries ask for (their SONAME), whatever chain of symlinks led to the file.
for name in "${!bundled[@]}"; do
  cp -L "${bundled[$name]}" "$out/lib/$name"
  chmod 0755 "$out/lib/$name"
done
cp -R shapes "$out/shapes"
cp tools/bundle/env.sh tools/bundle/preflight.sh tools/bundle/README.txt "$out/"
chmod 0755 "$out/preflight.sh"

{
  echo "# CUDA libraries the binaries in this bundle use, looked for by env.sh on the target."
  echo "# required: a binary links it (or libcudnn loads it); optional: same family, reported only."
  for name in "${!cuda_needed[@]}"; do
    printf '%s %s\n' "${cuda_needed[$name]}" "$name"
  done | sort -k 2
} >"$out/cuda-libs.txt"

# The bundled binaries must find the bundled libraries through their RPATH alone, with no LD_LIBRARY_PATH.
for exe in "$out"/bin/* "$out"/tests/*; do
  [ -f "$exe" ] || continue
  while IFS=$'\t' read -r name path; do
    if [ -n "${bundled[$name]:-}" ] && [ "$(realpath -m -- "$path")" != "$(realpath -m -- "$out/lib/$name")" ]; then
      die "$(basename "$exe"): $name resolves to $path, not to the bundle's lib/"
    fi
  done < <(env -u LD_LIBRARY_PATH ldd "$exe" | awk '$2 == "=>" { print $1 "\t" $3 }')
done

# --- BUILD_INFO.txt ------------------------------------------------------------------------------------------
# "key: value" lines; preflight.sh reads the *_header, cuda_toolkit and needs_* keys.
header_version() {  # header file, then the macro names of the version's parts
  local file=$1 part value version=""
  shift
  [ -f "$file" ] || return 0
  for part in "$@"; do
    value=$(sed -n "s/^#define ${part}[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" "$file" | head -n 1)
    [ -n "$value" ] || return 0
    version+=${version:+.}$value
  done
  echo "$version ($file)"
}
find_header() {  # the first of the toolkit's include folder and /usr/include that has the header
  local dir
  for dir in "$toolkit/include" /usr/include /usr/include/x86_64-linux-gnu; do
    if [ -f "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  echo "$toolkit/include/$1"
}
highest_version() {  # the highest symbol version with this prefix that the files require
  readelf -V --wide "${@:2}" 2>/dev/null | grep -oE "$1_[0-9]+(\\.[0-9]+)*" | sed "s/^$1_//" | sort -uV | tail -n 1
}

commit=unknown
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  commit=$(git -C "$root" rev-parse HEAD)
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
    commit+=" (dirty: uncommitted changes to tracked files)"
  else
    commit+=" (clean)"
  fi
fi
cudart=$(sed -n 's/^#define CUDART_VERSION[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' \
  "$(find_header cuda_runtime_api.h)" 2>/dev/null || true)
[ -n "$cudart" ] || die "no CUDART_VERSION in $(find_header cuda_runtime_api.h)"
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
bundled_files=()
for name in "${!bundled[@]}"; do bundled_files+=("$out/lib/$name"); done
lib_list=""
for name in $(printf '%s\n' "${!bundled[@]}" | sort); do
  lib_list+="${lib_list:+, }$name ($(basename "$(readlink -f "${bundled[$name]}")") from ${bundled[$name]})"
done
cuda_required=$(awk '$1 == "required" { printf "%s%s", sep, $2; sep = " " }' "$out/cuda-libs.txt")

{
  echo "# dlbench bundle: what was built and what the target needs. Written by tools/bundle.sh."
  echo "commit: $commit"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "built_on: $(uname -srm), $(getconf GNU_LIBC_VERSION 2>/dev/null || echo 'glibc unknown')"
  echo "cuda_toolkit: $("$nvcc" --version | sed -n 's/.*release [0-9.]*, V\([0-9.]*\).*/\1/p') ($toolkit)"
  echo "cuda_architectures: $(sed -n 's/^CMAKE_CUDA_ARCHITECTURES:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
  echo "cxx_compiler: $("$cxx" --version | head -n 1) ($cxx)"
  echo "cuda_compiler: nvcc $("$nvcc" --version | sed -n "s/^Cuda compilation tools, //p") ($nvcc)"
  echo "build_type: $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
  echo "cudart_header: $((cudart / 1000)).$((cudart % 1000 / 10)) (CUDART_VERSION $cudart; linked statically" \
    "unless cuda-libs.txt lists libcudart as required)"
  echo "cublas_header: $(header_version "$(find_header cublas_api.h)" \
    CUBLAS_VER_MAJOR CUBLAS_VER_MINOR CUBLAS_VER_PATCH)"
  echo "cudnn_header: $(header_version "$(find_header cudnn_version.h)" CUDNN_MAJOR CUDNN_MINOR CUDNN_PATCHLEVEL)"
  echo "nccl_header: $(header_version "$(find_header nccl.h)" NCCL_MAJOR NCCL_MINOR NCCL_PATCH)"
  echo "binaries: $(cd "$out/bin" && echo *)"
  echo "bundled_libraries: ${lib_list:-none}"
  echo "cuda_libraries_required: ${cuda_required:-none (no binary links a CUDA library dynamically)}"
  echo "needs_glibc: $(highest_version GLIBC "$out"/bin/* "$out"/tests/* "${bundled_files[@]}")"
  echo "needs_glibcxx: $(highest_version GLIBCXX "$out"/bin/* "$out"/tests/* "${bundled_files[@]}")"
  echo "needs_driver: an NVIDIA driver for CUDA $((cudart / 1000)).x (CUDA 13: 580 or newer)"
} >"$out/BUILD_INFO.txt"

# --- Report --------------------------------------------------------------------------------------------------
echo
echo "bundle: wrote $out"
echo "  binaries:  $(cd "$out/bin" && echo *)"
echo "  lib/:      $(cd "$out/lib" && echo *)"
echo "  CUDA libraries env.sh will look for on the target: ${cuda_required:-none required}"
if [ ${#driver_missing[@]} -gt 0 ]; then
  echo "  note: the binaries link the NVIDIA driver's $(printf '%s\n' "${driver_missing[@]}" | sort -u | tr '\n' ' ')" \
    "directly: they start only where a driver is installed (tools/check_bundle.sh rejects this)"
fi
echo "  size:      $(du -sh "$out" | cut -f1) ($(du -sh "$out/bin" | cut -f1) bin, $(du -sh "$out/lib" | cut -f1) lib)"
echo "Copy the folder to the GPU machine, then there: source env.sh && ./preflight.sh"
