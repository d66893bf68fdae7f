#include "gemm/gemm_problem.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include "common/format.hpp"
#include "common/input_error.hpp"

namespace dlbench {

double GemmProblem::flops() const {
  return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(batch);
}

double GemmProblem::min_bytes() const {
  const auto& t = types();
  const double in = static_cast<double>(size_of(t.input));
  const double out = static_cast<double>(size_of(t.output));
  const double b = static_cast<double>(batch);
  const double mn = static_cast<double>(m) * static_cast<double>(n);
  double bytes = b * (static_cast<double>(m) * k * in + static_cast<double>(k) * n * in + mn * out);
  if (beta != 0.0) bytes += b * mn * out;
  return bytes;
}

std::string GemmProblem::transposes() const {
  return std::string(1, trans_a ? 't' : 'n') + (trans_b ? 't' : 'n');
}

std::string GemmProblem::to_string(bool with_precision) const {
  std::string s = "m" + std::to_string(m) + "n" + std::to_string(n) + "k" + std::to_string(k);
  if (batch != 1) s += "b" + std::to_string(batch);
  s += "_" + transposes();
  if (with_precision) s += "_" + std::string(dlbench::to_string(precision));
  if (alpha != 1.0) s += "_alpha" + format_number(alpha);
  if (beta != 0.0) s += "_beta" + format_number(beta);
  return s;
}

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    const auto next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

// Reads "<letter><positive integer>" at the front of `s`, advancing it.
std::int64_t take_dim(std::string_view& s, char letter, const std::string& where, std::string_view text) {
  if (s.empty() || s.front() != letter)
    throw InputError(where + ": '" + std::string(text) + "': expected '" + std::string(1, letter) +
                     "<positive integer>' (form: m<M>n<N>k<K>[b<batch>]_<nn|nt|tn|tt>_<precision>)");
  s.remove_prefix(1);
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || v <= 0)
    throw InputError(where + ": '" + std::string(text) + "': '" + std::string(1, letter) +
                     "' needs a positive integer");
  s.remove_prefix(static_cast<std::size_t>(ptr - s.data()));
  return v;
}

double take_scalar(std::string_view token, std::string_view prefix, const std::string& where) {
  const auto body = token.substr(prefix.size());
  double v = 0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (body.empty() || ec != std::errc() || ptr != body.data() + body.size() || !std::isfinite(v))
    throw InputError(where + ": '" + std::string(token) + "': expected " + std::string(prefix) + "<number>");
  return v;
}

}  // namespace

GemmProblem GemmProblem::parse(std::string_view text, const std::string& where, bool* precision_given) {
  GemmProblem p;
  const auto tokens = split(text, '_');
  std::string_view dims = tokens[0];
  p.m = take_dim(dims, 'm', where, text);
  p.n = take_dim(dims, 'n', where, text);
  p.k = take_dim(dims, 'k', where, text);
  if (!dims.empty()) p.batch = take_dim(dims, 'b', where, text);
  if (!dims.empty())
    throw InputError(where + ": '" + std::string(text) + "': unexpected '" + std::string(dims) + "' after the sizes");
  if (tokens.size() < 2 || tokens[1].size() != 2 || (tokens[1][0] != 'n' && tokens[1][0] != 't') ||
      (tokens[1][1] != 'n' && tokens[1][1] != 't'))
    throw InputError(where + ": '" + std::string(text) + "': expected transposes nn, nt, tn or tt after the sizes");
  p.trans_a = tokens[1][0] == 't';
  p.trans_b = tokens[1][1] == 't';

  std::size_t i = 2;
  bool have_precision = false;
  if (i < tokens.size() && !tokens[i].starts_with("alpha") && !tokens[i].starts_with("beta")) {
    const auto prec = parse_precision(tokens[i]);
    if (!prec)
      throw InputError(where + ": '" + std::string(text) + "': unknown precision '" + std::string(tokens[i]) +
                       "' (valid: " + precision_choices() + ")");
    p.precision = *prec;
    have_precision = true;
    ++i;
  }
  if (!have_precision && precision_given == nullptr)
    throw InputError(where + ": '" + std::string(text) + "': missing precision (valid: " + precision_choices() + ")");
  if (precision_given) *precision_given = have_precision;
  if (i < tokens.size() && tokens[i].starts_with("alpha")) p.alpha = take_scalar(tokens[i++], "alpha", where);
  if (i < tokens.size() && tokens[i].starts_with("beta")) p.beta = take_scalar(tokens[i++], "beta", where);
  if (i < tokens.size())
    throw InputError(where + ": '" + std::string(text) + "': unexpected '" + std::string(tokens[i]) + "'");
  return p;
}

std::optional<std::string> GemmProblem::unsupported_reason() const {
  if (is_integer(types().compute) && (alpha != std::nearbyint(alpha) || beta != std::nearbyint(beta)))
    return "alpha/beta must be integers for " + std::string(types().name) + " (its scalars are " +
           std::string(dlbench::to_string(types().compute)) + ")";
  return std::nullopt;
}

}  // namespace dlbench
