// What the oneDNN backends (GEMM, convolution, RNN) share: element types, the CPU engine, and how the library and
// the device describe themselves in every row.
#pragma once

#include <optional>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "common/dtype.hpp"
#include "harness/backend.hpp"

namespace dlbench::onednn {

// oneDNN's name for an element type, or nullopt when oneDNN 2.6 has none (fp8, f64).
std::optional<dnnl::memory::data_type> data_type(DataType t);

// "avx512_core_amx" for the ISA oneDNN dispatches to on this CPU.
std::string isa_name(dnnl::cpu_isa isa);
std::string effective_isa();

// oneDNN's notation for a memory layout, as its verbose mode prints it: the dimensions as letters in memory order,
// outermost first, capitals for those split into blocks, then the inner blocks; e.g. "acdb" (NHWC or, for
// weights, KRSC), "ABcd16b16a" (weights in 16×16 blocks of input and output channels).
std::string format_name(const dnnl::memory::desc& desc);

// A CPU engine and stream with oneDNN's OpenMP pool sized to the run's threads. Construction never throws: a
// failure is kept as the reason the backend is unavailable.
class CpuEngine {
 public:
  explicit CpuEngine(int threads);
  Availability availability() const { return {unavailable_.empty(), unavailable_}; }
  // "<cpu model>, <isa>, N threads"
  std::string device() const;
  // The host CPU at the run's threads, with the ISA oneDNN dispatches to among its facts.
  DeviceIdentity hardware() const;
  // "oneDNN 2.6.3 (hash)"
  std::string library() const;

  dnnl::engine& engine() { return engine_; }
  dnnl::stream& stream() { return stream_; }

 private:
  int threads_;
  std::string unavailable_;
  dnnl::engine engine_;
  dnnl::stream stream_;
};

}  // namespace dlbench::onednn
