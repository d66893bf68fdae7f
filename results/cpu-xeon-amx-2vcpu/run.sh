#!/usr/bin/env bash
# Reproduces this folder's figures: run from the repository root after `cmake --preset default && cmake --build build`,
# on an otherwise idle machine (nothing else running: the figures are wall-clock throughput).
set -euo pipefail
out="$(dirname "$0")"
bin=build/bin

# Square GEMMs, fp32 and bf16, plain and packed B, three repetitions each.
"$bin/gemm_bench" --problem=m2048n2048k2048_nn,m4096n4096k4096_nn --precisions=fp32,bf16 --b_layout=both \
  --benchmark_repetitions=3 --max_time=10 --csv="$out/gemm_square.csv" \
  --benchmark_out="$out/gemm_square.json" --benchmark_out_format=json > "$out/gemm_square.txt"

# Harness fidelity: the harness against a bare timing loop around the same oneDNN primitive.
"$bin/fidelity_bench" --rounds=7 --csv="$out/fidelity.csv" \
  --problem=m256n256k256_nn_fp32,m512n512k512_nn_fp32,m1024n1024k1024_nn_fp32,m2048n2048k2048_nn_fp32,m1024n1024k1024_nn_bf16,m2048n2048k2048_nn_bf16 \
  > "$out/fidelity.txt"

# The default suite and the smoke table, every precision, default measurement settings.
"$bin/gemm_bench" --shapes=default --csv="$out/gemm_default.csv" > "$out/gemm_default.txt"
"$bin/gemm_bench" --shapes=smoke --csv="$out/gemm_smoke.csv" > "$out/gemm_smoke.txt"
