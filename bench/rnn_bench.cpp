// rnn_bench: recurrent layers (vanilla, LSTM, GRU) over shape tables on every backend built in. See README.md for
// flags and output.
#include "rnn/rnn_suite.hpp"

int main(int argc, char** argv) {
  dlbench::RnnSuite suite;
  return dlbench::bench_main(argc, argv, suite);
}
