#!/usr/bin/env bash
# Installs what dlbench needs to build and test on Debian 12 / Ubuntu, from the distribution's packages:
# a C++20 compiler, CMake, Ninja, Google Benchmark, GoogleTest, oneDNN (the CPU backend) and OpenMPI (the MPI backend
# and the launcher allreduce_bench runs under).
# Installs only what is missing, so a second run is quick and needs no network. Safe to run as root or with sudo.
set -euo pipefail

packages=(g++ cmake ninja-build libbenchmark-dev libgtest-dev libdnnl-dev openmpi-bin libopenmpi-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${packages[*]})"
  exit 0
fi

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
