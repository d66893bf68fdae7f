// Helpers shared by the RNN reference, check and data tests: problems from their fields, buffers from values,
// inputs assembled by hand, and the reference written out as a backend's outputs.
#pragma once

#include <cstdint>
#include <numeric>
#include <vector>

#include "common/host_buffer.hpp"
#include "rnn/rnn_data.hpp"
#include "rnn/rnn_reference.hpp"

namespace dlbench::test {

inline RnnProblem rnn(RnnCell cell, std::int64_t h, std::int64_t i, std::int64_t n, std::int64_t t,
                      std::int64_t l = 1, bool bi = false, RnnPass pass = RnnPass::inference,
                      Precision prec = Precision::fp32) {
  RnnProblem p;
  p.cell = cell, p.hidden = h, p.input = i, p.batch = n, p.steps = t, p.layers = l;
  p.bidirectional = bi, p.pass = pass, p.precision = prec;
  return p;
}

inline HostBuffer buffer_of(const std::vector<double>& values, DataType type = DataType::f32) {
  HostBuffer b(type, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) b.set(i, values[i]);
  return b;
}

inline std::vector<double> values_of(const HostBuffer& b) {
  std::vector<double> v(b.count());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = b.get(i);
  return v;
}

inline std::vector<std::int64_t> all_entries(const RnnProblem& p) {
  std::vector<std::int64_t> e(static_cast<std::size_t>(p.batch));
  std::iota(e.begin(), e.end(), 0);
  return e;
}

// Inputs given element by element (forward passes: no output gradients).
struct HandInputs {
  HostBuffer x, hx, cx, weights, none;
  RnnInputs inputs() const { return {x, hx, cx, weights, none, none, none}; }
};

// The full-batch reference of the pass, stored in `out` (from make_rnn_outputs) in its output type: what a
// correct backend writes, up to the rounding of the output.
inline void write_reference(const RnnReference& ref, RnnOutputs& out) {
  const auto write = [](const std::vector<double>& v, HostBuffer& b) {
    for (std::size_t i = 0; i < b.count(); ++i) b.set(i, v[i]);
  };
  write(ref.y, out.y);
  write(ref.hy, out.hy);
  write(ref.cy, out.cy);
  write(ref.dx, out.dx);
  write(ref.dhx, out.dhx);
  write(ref.dcx, out.dcx);
  write(ref.dweights, out.dweights);
}

}  // namespace dlbench::test
