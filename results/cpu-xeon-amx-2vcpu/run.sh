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

# Convolution, oneDNN, one thread. This VM shares its two vCPUs with other work: whenever another process holds the
# second vCPU, a two-thread oneDNN call waits at its barrier for a scheduler tick, and medians come out as 4 or 8 ms
# whatever the layer (seen in every two-thread attempt). One thread measures the kernel, not the scheduler.
# The same-thread roof first: oneDNN's fp32 and bf16 matmul at 2048^3.
"$bin/gemm_bench" --problem=m2048n2048k2048_nn --precisions=fp32,bf16 --backends=onednn --threads=1 --max_time=3 \
  --csv="$out/gemm_square_1thread.csv" > "$out/gemm_square_1thread.txt"
# The smoke table in every precision (its problems take microseconds: 1 s per case at most).
"$bin/conv_bench" --shapes=smoke --threads=1 --max_time=1 --csv="$out/conv_smoke.csv" > "$out/conv_smoke.txt"
# ResNet-50: every layer at inference batch 1, and four layers (the stem, a 3x3 and a 1x1 of the middle stages, the
# last 3x3) at the training batch, 32, in all three directions.
"$bin/conv_bench" --shapes=resnet50 --precisions=fp32,bf16,int8 --threads=1 --max_time=2 \
  --benchmark_filter='inference_b1/|/(conv1|layer1\.0-2\.conv2|layer3\.1-5\.conv1|layer4\.1-2\.conv2)/training_b32/' \
  --csv="$out/conv_resnet50.csv" > "$out/conv_resnet50.txt"

# RNN, oneDNN, two threads (these calls last 0.1-2000 ms, long enough that the scheduler tick that spoils two-thread
# convolutions is a small part of them). The smoke table in every precision (its problems take microseconds), the
# keyword-spotting table (device-sized) and GNMT (LSTM, H 1024, batch 128: the heavy one) in fp32 and bf16.
"$bin/rnn_bench" --shapes=smoke --backends=onednn --threads=2 --max_time=1 --csv="$out/rnn_smoke.csv" > "$out/rnn_smoke.txt"
"$bin/rnn_bench" --shapes=kws --backends=onednn --precisions=fp32,bf16 --threads=2 --max_time=2 \
  --csv="$out/rnn_kws.csv" > "$out/rnn_kws.txt"
"$bin/rnn_bench" --shapes=gnmt --backends=onednn --precisions=fp32,bf16 --threads=2 --max_time=4 \
  --csv="$out/rnn_gnmt.csv" > "$out/rnn_gnmt.txt"

# The same ResNet-50 cases with two threads, once the VM was quiet (nothing else on the second vCPU).
"$bin/conv_bench" --shapes=resnet50 --backends=onednn --precisions=fp32,bf16,int8 --threads=2 --max_time=2 \
  --benchmark_filter='inference_b1/|/(conv1|layer1\.0-2\.conv2|layer3\.1-5\.conv1|layer4\.1-2\.conv2)/training_b32/' \
  --csv="$out/conv_resnet50_2threads.csv" > "$out/conv_resnet50_2threads.txt"

# AllReduce, MPI backend (host buffers), 2 ranks on this 2-vCPU host: Open MPI's shared-memory transport, so these
# are memory-copy figures, not a network's. The 8 B - 64 MiB sweep in fp32, out of place and in place, then the
# harness against a bare MPI_Allreduce loop on the same sizes (allreduce_fidelity).
mpi=(mpirun --allow-run-as-root -np 2)
"${mpi[@]}" "$bin/allreduce_bench" --backends=mpi --sweep=8:64M:2 --precisions=fp32 \
  --csv="$out/allreduce_mpi_2ranks.csv" > "$out/allreduce_mpi_2ranks.txt"
"${mpi[@]}" "$bin/allreduce_fidelity" --sweep=8:64M:2 --rounds=5 --max_time=1 --csv="$out/allreduce_fidelity.csv" \
  > "$out/allreduce_fidelity.txt"
