// conv_bench: 2-D convolution over shape tables on every backend built in. See README.md for flags and output.
#include "conv/conv_suite.hpp"

int main(int argc, char** argv) {
  dlbench::ConvSuite suite;
  return dlbench::bench_main(argc, argv, suite);
}
