// gemm_bench: GEMM over shape tables on every backend built in. See README.md for flags and output.
#include "gemm/gemm_suite.hpp"

int main(int argc, char** argv) {
  dlbench::GemmSuite suite;
  return dlbench::bench_main(argc, argv, suite);
}
