#include "conv/conv_problem.hpp"

#include <array>
#include <map>

#include "common/input_error.hpp"
#include "common/name_tokens.hpp"

namespace dlbench {

namespace {

constexpr std::array<std::string_view, 2> kLayouts{"nchw", "nhwc"};
constexpr std::array<std::string_view, 3> kDirections{"fwd", "bwd_data", "bwd_filter"};

std::vector<std::string_view> precision_names() {
  std::vector<std::string_view> out;
  for (const auto& i : all_precisions()) out.push_back(i.name);
  return out;
}

// "p1" when both sides agree, "ph1pw2" otherwise; `always` writes the short form even for the default.
std::string pair_token(char letter, std::int64_t a, std::int64_t b, std::int64_t fallback, bool always) {
  if (a == b) return a == fallback && !always ? "" : std::string(1, letter) + std::to_string(a);
  return std::string(1, letter) + "h" + std::to_string(a) + letter + "w" + std::to_string(b);
}

}  // namespace

std::string_view to_string(ConvLayout layout) { return kLayouts[static_cast<std::size_t>(layout)]; }
std::string_view to_string(ConvDirection direction) { return kDirections[static_cast<std::size_t>(direction)]; }

std::optional<ConvLayout> parse_conv_layout(std::string_view text) {
  for (std::size_t i = 0; i < kLayouts.size(); ++i)
    if (kLayouts[i] == text) return static_cast<ConvLayout>(i);
  return std::nullopt;
}

std::optional<ConvDirection> parse_conv_direction(std::string_view text) {
  for (std::size_t i = 0; i < kDirections.size(); ++i)
    if (kDirections[i] == text) return static_cast<ConvDirection>(i);
  return std::nullopt;
}

double ConvProblem::flops() const {
  return 2.0 * static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(p()) * static_cast<double>(q()) *
         static_cast<double>(c_per_group()) * static_cast<double>(r) * static_cast<double>(s);
}

double ConvProblem::min_bytes() const {
  const double in = static_cast<double>(size_of(types().input));
  const double out = static_cast<double>(size_of(types().output));
  const double x = static_cast<double>(src_elements());
  const double wt = static_cast<double>(weight_elements());
  const double y = static_cast<double>(dst_elements());
  switch (direction) {
    case ConvDirection::fwd: return (x + wt) * in + y * out;
    case ConvDirection::bwd_data: return (y + wt) * in + x * out;
    case ConvDirection::bwd_filter: return (x + y) * in + wt * out;
  }
  return 0;
}

double ConvProblem::macs_per_output() const {
  switch (direction) {
    case ConvDirection::fwd: return static_cast<double>(c_per_group() * r * s);
    case ConvDirection::bwd_data:
      return static_cast<double>(k_per_group() * r * s) / static_cast<double>(stride_h * stride_w);
    case ConvDirection::bwd_filter: return static_cast<double>(n * p() * q());
  }
  return 0;
}

std::int64_t ConvProblem::output_elements() const {
  switch (direction) {
    case ConvDirection::fwd: return dst_elements();
    case ConvDirection::bwd_data: return src_elements();
    case ConvDirection::bwd_filter: return weight_elements();
  }
  return 0;
}

std::string ConvProblem::shape_string() const {
  std::string t = "n" + std::to_string(n) + "c" + std::to_string(c) + "h" + std::to_string(h) + "w" +
                  std::to_string(w) + "k" + std::to_string(k) + "r" + std::to_string(r) + "s" + std::to_string(s);
  t += pair_token('p', pad_h, pad_w, 0, true);
  t += pair_token('u', stride_h, stride_w, 1, true);
  t += pair_token('d', dil_h, dil_w, 1, false);
  if (groups != 1) t += "g" + std::to_string(groups);
  return t;
}

std::string ConvProblem::to_string(bool with_precision) const {
  std::string t = shape_string() + "_" + std::string(dlbench::to_string(layout)) + "_" +
                  std::string(dlbench::to_string(direction));
  if (with_precision) t += "_" + std::string(dlbench::to_string(precision));
  return t;
}

ConvProblem ConvProblem::parse(std::string_view text, const std::string& where, Given* given) {
  const auto fail = [&](const std::string& why) {
    throw InputError(where + ": '" + std::string(text) + "': " + why +
                     " (form: n<N>c<C>h<H>w<W>k<K>r<R>s<S>p<P>u<U>[d<D>][g<G>]_<nchw|nhwc>_<fwd|bwd_data|bwd_filter>"
                     "_<precision>)");
  };
  const std::size_t cut = text.find('_');
  std::map<std::string, std::int64_t> dims;
  for (const auto& [key, value] : split_dims(text.substr(0, cut), where, text))
    if (!dims.emplace(key, value).second) fail("'" + key + "' given twice");

  ConvProblem pr;
  const auto take = [&](const std::string& key, std::int64_t& field, bool positive) {
    const auto it = dims.find(key);
    if (it == dims.end()) return false;
    if (positive && it->second <= 0) fail("'" + key + "' must be positive");
    field = it->second;
    dims.erase(it);
    return true;
  };
  for (auto [key, field] : {std::pair{"n", &pr.n}, {"c", &pr.c}, {"h", &pr.h}, {"w", &pr.w}, {"k", &pr.k},
                            {"r", &pr.r}, {"s", &pr.s}})
    if (!take(key, *field, true)) fail(std::string("missing '") + key + "'");
  // A symmetric value ("p1") or a pair ("ph1pw0"), never both.
  const auto take_pair = [&](char letter, std::int64_t& a, std::int64_t& b, bool positive) {
    const std::string one(1, letter), hk = one + "h", wk = one + "w";
    std::int64_t v = 0;
    if (take(one, v, positive)) {
      if (dims.count(hk) || dims.count(wk)) fail("'" + one + "' and '" + hk + "'/'" + wk + "' together");
      a = b = v;
      return;
    }
    take(hk, a, positive);
    take(wk, b, positive);
  };
  take_pair('p', pr.pad_h, pr.pad_w, false);
  take_pair('u', pr.stride_h, pr.stride_w, true);
  take_pair('d', pr.dil_h, pr.dil_w, true);
  take("g", pr.groups, true);
  if (!dims.empty()) fail("unknown token '" + dims.begin()->first + "'");

  std::string_view rest = cut == std::string_view::npos ? std::string_view{} : text.substr(cut + 1);
  Given found;
  if (const int i = take_suffix(rest, kLayouts); i >= 0) {
    pr.layout = static_cast<ConvLayout>(i);
    found.layout = true;
  }
  if (const int i = take_suffix(rest, kDirections); i >= 0) {
    pr.direction = static_cast<ConvDirection>(i);
    found.direction = true;
  }
  const auto precisions = precision_names();
  if (const int i = take_suffix(rest, precisions); i >= 0) {
    pr.precision = all_precisions()[static_cast<std::size_t>(i)].precision;
    found.precision = true;
  }
  if (!rest.empty()) fail("unexpected '" + std::string(rest) + "'");
  if (given) {
    *given = found;
  } else if (!found.layout || !found.direction || !found.precision) {
    fail("needs its layout, direction and precision");
  }
  return pr;
}

std::optional<std::string> ConvProblem::unsupported_reason() const {
  if (c % groups != 0 || k % groups != 0)
    return "channels (c=" + std::to_string(c) + ", k=" + std::to_string(k) + ") not divisible by groups=" +
           std::to_string(groups);
  if (p() <= 0 || q() <= 0)
    return "empty output: the dilated filter is larger than the padded input (" + shape_string() + ")";
  if (is_integer(types().input) && direction != ConvDirection::fwd)
    return std::string(types().name) + " is an inference precision: no " + std::string(dlbench::to_string(direction)) +
           " convolution";
  return std::nullopt;
}

}  // namespace dlbench
