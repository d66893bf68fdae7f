#include "onednn_common.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "harness/host_info.hpp"

namespace dlbench::onednn {

std::optional<dnnl::memory::data_type> data_type(DataType t) {
  using dt = dnnl::memory::data_type;
  switch (t) {
    case DataType::f32: return dt::f32;
    case DataType::bf16: return dt::bf16;
    case DataType::f16: return dt::f16;
    case DataType::s8: return dt::s8;
    case DataType::s32: return dt::s32;
    default: return std::nullopt;
  }
}

std::string isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "isa#" + std::to_string(static_cast<int>(isa));
  }
}

std::string effective_isa() { return isa_name(dnnl::get_effective_cpu_isa()); }

std::string format_name(const dnnl::memory::desc& desc) {
  const dnnl_memory_desc_t& d = desc.data;
  if (d.format_kind != dnnl_blocked) return "opaque";
  const auto& b = d.format_desc.blocking;
  std::vector<int> order(static_cast<std::size_t>(d.ndims));
  std::iota(order.begin(), order.end(), 0);
  // Outermost first; equal strides (dimensions of extent 1) keep their logical order.
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return b.strides[x] > b.strides[y]; });
  std::string name;
  for (int i : order) {
    const bool blocked = std::find(b.inner_idxs, b.inner_idxs + b.inner_nblks, i) != b.inner_idxs + b.inner_nblks;
    name += static_cast<char>((blocked ? 'A' : 'a') + i);
  }
  for (int j = 0; j < b.inner_nblks; ++j)
    name += std::to_string(b.inner_blks[j]) + static_cast<char>('a' + b.inner_idxs[j]);
  return name;
}

CpuEngine::CpuEngine(int threads) : threads_(threads) {
  // oneDNN's Debian build threads with OpenMP: its pool size is the thread count of every primitive.
  omp_set_num_threads(threads_);
  try {
    engine_ = dnnl::engine(dnnl::engine::kind::cpu, 0);
    stream_ = dnnl::stream(engine_);
  } catch (const dnnl::error& e) {
    unavailable_ = std::string("oneDNN could not create a CPU engine: ") + e.what();
  }
}

DeviceIdentity CpuEngine::hardware() const {
  DeviceIdentity cpu = host_cpu(threads_);
  cpu.facts.emplace_back("onednn_isa", effective_isa());
  return cpu;
}

std::string CpuEngine::device() const {
  return cpu_model() + ", " + effective_isa() + ", " + std::to_string(threads_) + " threads";
}

std::string CpuEngine::library() const {
  const auto* v = dnnl::version();
  std::string s =
      "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  if (v->hash && std::strcmp(v->hash, "N/A") != 0) s += " (" + std::string(v->hash) + ")";
  return s;
}

}  // namespace dlbench::onednn
