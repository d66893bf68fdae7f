#include "common/name_tokens.hpp"

#include <charconv>

#include "common/input_error.hpp"

namespace dlbench {

std::vector<std::pair<std::string, std::int64_t>> split_dims(std::string_view g, const std::string& where,
                                                             std::string_view text) {
  const auto fail = [&](const std::string& why) {
    throw InputError(where + ": '" + std::string(text) + "': " + why);
  };
  std::vector<std::pair<std::string, std::int64_t>> out;
  std::size_t i = 0;
  while (i < g.size()) {
    const std::size_t key_start = i;
    while (i < g.size() && g[i] >= 'a' && g[i] <= 'z') ++i;
    if (i == key_start) fail("expected a letter at '" + std::string(g.substr(i)) + "'");
    const std::string key(g.substr(key_start, i - key_start));
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(g.data() + i, g.data() + g.size(), v);
    if (ec != std::errc() || ptr == g.data() + i || v < 0) fail("'" + key + "' needs a non-negative integer");
    i = static_cast<std::size_t>(ptr - g.data());
    out.emplace_back(key, v);
  }
  return out;
}

int take_suffix(std::string_view& rest, std::span<const std::string_view> choices) {
  int best = -1;
  for (std::size_t c = 0; c < choices.size(); ++c) {
    const auto& choice = choices[c];
    if (!rest.starts_with(choice)) continue;
    if (rest.size() != choice.size() && rest[choice.size()] != '_') continue;
    if (best < 0 || choice.size() > choices[static_cast<std::size_t>(best)].size()) best = static_cast<int>(c);
  }
  if (best >= 0) {
    rest.remove_prefix(choices[static_cast<std::size_t>(best)].size());
    if (!rest.empty()) rest.remove_prefix(1);
  }
  return best;
}

}  // namespace dlbench
