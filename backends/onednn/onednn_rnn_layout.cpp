#include "onednn_rnn_layout.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace dlbench::onednn {

namespace {

// Where oneDNN bias gate k comes from: the canonical gate of b_W and of b_R it sums, or -1 for none.
struct BiasSource {
  std::int64_t w = -1, r = -1;
};

BiasSource bias_source(RnnCell cell, std::int64_t k) {
  if (cell != RnnCell::gru) return {canonical_gate(cell, k), canonical_gate(cell, k)};
  constexpr std::int64_t n = 2;  // the canonical candidate gate
  switch (k) {
    case 2: return {n, -1};  // B_o = b_Wn
    case 3: return {-1, n};  // B_u' = b_Rn
    default: return {canonical_gate(cell, k), canonical_gate(cell, k)};
  }
}

// The element offset of (layer, direction, channel, gate, h) in a stage's plain ldigo tensor.
struct Ldigo {
  std::int64_t d, channels, g, h;
  std::int64_t at(std::int64_t l, std::int64_t dir, std::int64_t c, std::int64_t k, std::int64_t j) const {
    return (((l * d + dir) * channels + c) * g + k) * h + j;
  }
};

}  // namespace

std::vector<RnnStage> rnn_stages(const RnnProblem& p) {
  if (p.layers == 1 || (!p.bidirectional && p.input == p.hidden)) return {{0, p.layers, p.input}};
  if (!p.bidirectional) return {{0, 1, p.input}, {1, p.layers - 1, p.hidden}};
  std::vector<RnnStage> stages;
  for (std::int64_t l = 0; l < p.layers; ++l) stages.push_back({l, 1, p.layer_input(l)});
  return stages;
}

std::string layers_string(const RnnStage& s) {
  if (s.count == 1) return "layer " + std::to_string(s.first);
  return "layers " + std::to_string(s.first) + "-" + std::to_string(s.first + s.count - 1);
}

std::int64_t canonical_gate(RnnCell cell, std::int64_t onednn_gate) {
  // lbr_gru's u, r, o are the canonical z, r, n; the other cells keep the canonical order.
  if (cell == RnnCell::gru && onednn_gate < 2) return 1 - onednn_gate;
  return onednn_gate;
}

std::int64_t bias_gates(RnnCell cell) {
  const RnnProblem p{.cell = cell};
  return cell == RnnCell::gru ? p.gates() + 1 : p.gates();
}

RnnTypes rnn_types(const RnnProblem& p) {
  const DataType in = p.types().input;
  if (in != DataType::f32 && in != DataType::bf16)
    throw std::logic_error("onednn rnn: no oneDNN types for " + std::string(p.types().name));
  return {in, DataType::f32, DataType::f32};
}

void weights_to_onednn(const RnnProblem& p, const RnnStage& s, const HostBuffer& canonical, DataType type,
                       void* layer, void* iter, float* bias) {
  const std::int64_t D = p.directions(), G = p.gates(), H = p.hidden, GB = bias_gates(p.cell);
  const Ldigo wl{D, s.input, G, H}, wi{D, H, G, H};
  for (std::int64_t l = 0; l < s.count; ++l)
    for (std::int64_t d = 0; d < D; ++d) {
      const RnnProblem::WeightOffsets o = p.weight_offsets(s.first + l, d);
      for (std::int64_t k = 0; k < G; ++k) {
        const std::int64_t row0 = canonical_gate(p.cell, k) * H;
        for (std::int64_t j = 0; j < H; ++j) {
          for (std::int64_t i = 0; i < s.input; ++i)
            store(type, layer, static_cast<std::size_t>(wl.at(l, d, i, k, j)),
                  canonical.get(static_cast<std::size_t>(o.w + (row0 + j) * s.input + i)));
          for (std::int64_t i = 0; i < H; ++i)
            store(type, iter, static_cast<std::size_t>(wi.at(l, d, i, k, j)),
                  canonical.get(static_cast<std::size_t>(o.r + (row0 + j) * H + i)));
        }
      }
      for (std::int64_t k = 0; k < GB; ++k) {
        const BiasSource src = bias_source(p.cell, k);
        for (std::int64_t j = 0; j < H; ++j) {
          double b = 0;
          if (src.w >= 0) b += canonical.get(static_cast<std::size_t>(o.b_w + src.w * H + j));
          if (src.r >= 0) b += canonical.get(static_cast<std::size_t>(o.b_r + src.r * H + j));
          bias[((l * D + d) * GB + k) * H + j] = static_cast<float>(b);
        }
      }
    }
}

void dweights_from_onednn(const RnnProblem& p, const RnnStage& s, const float* layer, const float* iter,
                          const float* bias, HostBuffer& canonical) {
  const std::int64_t D = p.directions(), G = p.gates(), H = p.hidden, GB = bias_gates(p.cell);
  const Ldigo wl{D, s.input, G, H}, wi{D, H, G, H};
  for (std::int64_t l = 0; l < s.count; ++l)
    for (std::int64_t d = 0; d < D; ++d) {
      const RnnProblem::WeightOffsets o = p.weight_offsets(s.first + l, d);
      for (std::int64_t k = 0; k < G; ++k) {
        const std::int64_t row0 = canonical_gate(p.cell, k) * H;
        for (std::int64_t j = 0; j < H; ++j) {
          for (std::int64_t i = 0; i < s.input; ++i)
            canonical.set(static_cast<std::size_t>(o.w + (row0 + j) * s.input + i), layer[wl.at(l, d, i, k, j)]);
          for (std::int64_t i = 0; i < H; ++i)
            canonical.set(static_cast<std::size_t>(o.r + (row0 + j) * H + i), iter[wi.at(l, d, i, k, j)]);
        }
      }
      // Every canonical bias element is the source of exactly one oneDNN bias gate's term.
      for (std::int64_t k = 0; k < GB; ++k) {
        const BiasSource src = bias_source(p.cell, k);
        for (std::int64_t j = 0; j < H; ++j) {
          const float g = bias[((l * D + d) * GB + k) * H + j];
          if (src.w >= 0) canonical.set(static_cast<std::size_t>(o.b_w + src.w * H + j), g);
          if (src.r >= 0) canonical.set(static_cast<std::size_t>(o.b_r + src.r * H + j), g);
        }
      }
    }
}

void convert(const void* from, DataType from_type, void* to, DataType to_type, std::size_t count) {
  if (from_type == to_type) {
    std::memcpy(to, from, count * size_of(from_type));
    return;
  }
  for (std::size_t i = 0; i < count; ++i) store(to_type, to, i, load(from_type, from, i));
}

void poison(void* data, DataType type, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) store(type, data, i, std::nan(""));
}

}  // namespace dlbench::onednn
