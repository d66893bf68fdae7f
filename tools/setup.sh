#!/usr/bin/env bash
# Installs what dlbench needs to build and test on Debian 12 / Ubuntu, from the distribution's packages:
# a C++20 compiler, CMake, Ninja, Google Benchmark, GoogleTest, oneDNN (the CPU backend) and OpenMPI (the MPI backend
# and the launcher allreduce_bench runs under); for the result tools (tools/compare.py, roofline.py, report.py):
# Python's venv, Chromium (the tests render report.py's HTML in it, headless) and a font for it.
# Then the tools' Python packages (tools/requirements.txt, pinned) into a virtual environment at <repo>/.venv, made
# with Debian's python3: only when it is missing or requirements.txt changed since it was made (its hash is kept
# in .venv), so a second run is quick and needs no network. Safe to run as root or with sudo.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

packages=(g++ cmake ninja-build libbenchmark-dev libgtest-dev libdnnl-dev openmpi-bin libopenmpi-dev
          python3 python3-venv chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${packages[*]})"
else
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "setup: missing packages: ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The tools' virtual environment. Debian's interpreter, not whichever python3 comes first on PATH (pyenv, conda):
# the one the packages above install, so every machine gets the same. Wheels only: nothing is compiled.
venv="$repo/.venv"
requirements="$repo/tools/requirements.txt"
python="${DLBENCH_PYTHON:-/usr/bin/python3}"
want="$(sha256sum "$requirements" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
stamp="$venv/.requirements.sha256"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: $venv up to date with tools/requirements.txt"
  exit 0
fi
echo "setup: making $venv from tools/requirements.txt"
rm -f "$stamp"
"$python" -m venv --clear "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --only-binary=:all: \
  -r "$requirements"
echo "$want" > "$stamp"
echo "setup: $venv ready ($("$venv/bin/python" --version))"
