// Small helpers shared by the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "common/input_error.hpp"
#include "gemm/gemm_problem.hpp"

namespace dlbench::test {

// The message of the InputError that `fn` throws, or a marker when it throws nothing (or something else).
template <class Fn>
std::string input_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an InputError: ") + e.what() + ">";
  }
  return "<no exception>";
}

inline ::testing::AssertionResult contains(const std::string& haystack, const std::string& needle) {
  if (haystack.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << haystack << "' does not contain '" << needle << "'";
}

inline GemmProblem gemm(std::int64_t m, std::int64_t n, std::int64_t k, Precision prec = Precision::fp32,
                        bool trans_a = false, bool trans_b = false, std::int64_t batch = 1, double alpha = 1.0,
                        double beta = 0.0) {
  return GemmProblem{m, n, k, trans_a, trans_b, batch, alpha, beta, prec};
}

}  // namespace dlbench::test
