// What every kernel's conformance test shares: one parameter per registered backend × precision, and the backends
// themselves, created once per process.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "common/precision.hpp"
#include "harness/backend.hpp"

namespace dlbench::conformance {

struct Param {
  std::string backend;
  Precision precision;
  friend void PrintTo(const Param& p, std::ostream* os) { *os << p.backend << "/" << to_string(p.precision); }
};

// Every backend registered for `Interface` in every precision: a new backend is tested without writing a test.
template <class Interface>
std::vector<Param> all_params() {
  std::vector<Param> out;
  for (const auto& name : Registry<Interface>::instance().names())
    for (const auto& p : all_precisions()) out.push_back({name, p.precision});
  return out;
}

// The backend `name`, created on first use with every hardware thread.
template <class Interface>
std::shared_ptr<Interface> backend(const std::string& name) {
  // Leaked on purpose: a static destroyed at exit would release device handles after the CUDA runtime has shut
  // down, which may crash the process after every test has passed.
  static auto& cache = *new std::map<std::string, std::shared_ptr<Interface>>;
  auto& b = cache[name];
  if (!b) b = Registry<Interface>::instance().create(name, {static_cast<int>(std::thread::hardware_concurrency()), 0});
  return b;
}

inline std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return info.param.backend + "_" + std::string(to_string(info.param.precision));
}

}  // namespace dlbench::conformance
