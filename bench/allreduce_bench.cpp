// allreduce_bench: AllReduce over shape tables or a size sweep on every backend built in, as one process or one
// process per rank (mpirun -np 8 allreduce_bench, srun). See README.md for flags, output and multi-node runs.
#include "allreduce/allreduce_suite.hpp"

int main(int argc, char** argv) {
  // Before anything reads argv: an MPI launcher's arguments are consumed here.
  auto group = dlbench::make_process_group(argc, argv);
  dlbench::AllReduceSuite suite;
  return dlbench::bench_main(argc, argv, suite, *group);
}
