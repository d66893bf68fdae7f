// peak_bench: the device's measured ceilings (memory bandwidth, compute per precision), written as a target file
// that later runs place their rows under. See README.md ("Roofline and hardware targets").
#include "peak/peak_suite.hpp"

int main(int argc, char** argv) {
  dlbench::PeakSuite suite;
  return dlbench::bench_main(argc, argv, suite);
}
