// What a shape-table row is for: a training step or inference. Every kernel's table has a `phase` column; each
// kernel says what a phase runs (convolution: directions; RNN: passes).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace dlbench {

enum class Phase { training, inference };

// The column's values, in the enum's order (for ShapeRow::choice).
inline constexpr std::array<std::string_view, 2> kPhaseNames{"training", "inference"};

inline std::string_view to_string(Phase phase) { return kPhaseNames[static_cast<std::size_t>(phase)]; }

inline std::optional<Phase> parse_phase(std::string_view text) {
  for (std::size_t i = 0; i < kPhaseNames.size(); ++i)
    if (kPhaseNames[i] == text) return static_cast<Phase>(i);
  return std::nullopt;
}

}  // namespace dlbench
