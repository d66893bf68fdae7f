// Inputs whose allreduce is known exactly, and the check that counts the elements a result gets wrong (nccl-tests'
// #wrong, MEASURE.md §5).
//
// Each rank r contributes at element i a random integer v(r, i) in [-m, m], drawn from the case's seed, the rank
// and i. m is chosen so that n·m is at most the largest integer up to which the type represents every integer
// (2^24 for fp32, 2^11 fp16, 2^8 bf16, 2^53 fp64, 2^31−1 int32): then every partial sum of any subset of ranks is
// exact, so a correct sum is exact whatever order or tree the library adds in, and any difference at all is an
// error. max and min are exact for any inputs. avg is exact for int32 (the sum divided by n, truncated towards zero,
// as C divides) and for floating types when n is a power of two; otherwise libraries scale each input by 1/n
// (NCCL does) or divide the sum, and an element counts as wrong only beyond the rounding of those steps,
// 2·n·m·2^-p with p the type's significand bits.
//
// Every rank can compute every rank's inputs, so each checks its own output alone; the harness sums the counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "allreduce/allreduce_problem.hpp"

namespace dlbench {

struct AllReduceCheck {
  std::int64_t wrong = 0;       // elements off the expected value (beyond `tolerance` for a floating avg)
  std::int64_t checked = 0;
  double max_error = 0;         // largest |got − expected| (inputs are integers: 1 is one unit); inf for NaN
  double tolerance = 0;         // absolute; 0 when the result is exact
  std::int64_t first_wrong = -1;  // index of the first wrong element, for the message
  double first_got = 0, first_expected = 0;
};

class ExactInputs {
 public:
  // Throws std::invalid_argument when unsupported_reason() is set.
  ExactInputs(const AllReduceProblem& problem, int ranks, std::uint64_t seed);

  // Why this problem over `ranks` ranks has no inputs with an exactly known sum (bf16 or fp16 sums over more ranks
  // than the type has exact integers), or nullopt.
  static std::optional<std::string> unsupported_reason(const AllReduceProblem& problem, int ranks);
  // The largest integer up to which `type` represents every integer.
  static double exact_integer_limit(DataType type);

  std::int64_t magnitude() const { return m_; }
  // v(rank, i), the integer `rank` contributes at element i.
  std::int64_t value(int rank, std::int64_t i) const;
  // The exact result at element i (double holds it exactly: |sum| ≤ 2^53).
  double expected(std::int64_t i) const;
  double tolerance() const { return tolerance_; }

  // Writes rank `rank`'s count elements, encoded in the type, to `buffer`.
  void fill(int rank, void* buffer) const;
  // Compares `count` elements of `output` (encoded in the type) with expected(), on every hardware thread.
  AllReduceCheck check(const void* output) const;

 private:
  AllReduceProblem problem_;
  int ranks_;
  std::uint64_t seed_;
  std::int64_t m_ = 1;
  double tolerance_ = 0;
};

}  // namespace dlbench
