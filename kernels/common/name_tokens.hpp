// Reading canonical problem names: the `n16c64h56w56` geometry token (letters, then a number, repeated) and the
// `_word_word` suffix tokens after it. Problem types build their parse() from these, so every kernel's names follow
// one grammar and one style of error message.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dlbench {

// Splits "n16c64ph1pw0" into {"n",16}, {"c",64}, {"ph",1}, {"pw",0}. Keys are runs of lowercase letters, values
// non-negative decimal integers. Throws InputError("<where>: '<text>': ...") on anything else.
std::vector<std::pair<std::string, std::int64_t>> split_dims(std::string_view geometry, const std::string& where,
                                                             std::string_view text);

// Takes the longest of `choices` at the front of `rest` when it is followed by '_' or the end, removing it and the
// '_' after it; returns its index, or -1 (and leaves `rest`) when none matches. Choices may contain '_'
// ("bwd_data"), which is why suffixes are matched, not split.
int take_suffix(std::string_view& rest, std::span<const std::string_view> choices);

}  // namespace dlbench
