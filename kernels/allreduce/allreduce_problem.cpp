#include "allreduce/allreduce_problem.hpp"

#include <array>
#include <stdexcept>

#include "common/input_error.hpp"
#include "common/name_tokens.hpp"

namespace dlbench {

namespace {

constexpr std::array<std::string_view, 4> kOps{"sum", "max", "min", "avg"};
constexpr std::array<std::string_view, 5> kTypeNames{"fp32", "fp16", "bf16", "fp64", "int32"};
constexpr std::array<DataType, 5> kTypes{DataType::f32, DataType::f16, DataType::bf16, DataType::f64, DataType::s32};

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

std::string_view to_string(ReduceOp op) { return kOps[static_cast<std::size_t>(op)]; }

std::optional<ReduceOp> parse_reduce_op(std::string_view name) {
  for (std::size_t i = 0; i < kOps.size(); ++i)
    if (kOps[i] == name) return static_cast<ReduceOp>(i);
  return std::nullopt;
}

std::string reduce_op_choices() { return join(kOps); }

std::span<const std::string_view> allreduce_type_names() { return kTypeNames; }

std::optional<DataType> parse_allreduce_type(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == name) return kTypes[i];
  return std::nullopt;
}

std::string_view allreduce_type_name(DataType type) {
  for (std::size_t i = 0; i < kTypes.size(); ++i)
    if (kTypes[i] == type) return kTypeNames[i];
  throw std::logic_error("allreduce_type_name: type not used by allreduce");
}

std::string allreduce_type_choices() { return join(kTypeNames); }

std::string AllReduceProblem::to_string() const {
  return "n" + std::to_string(count) + "_" + std::string(dlbench::to_string(op)) + (inplace ? "_inplace" : "") +
         "_" + std::string(allreduce_type_name(type));
}

AllReduceProblem AllReduceProblem::parse(std::string_view text, const std::string& where) {
  const auto fail = [&](const std::string& why) -> AllReduceProblem {
    throw InputError(where + ": '" + std::string(text) + "': " + why +
                     " (expected n<count>_<op>[_inplace]_<type>, e.g. n262144_sum_fp32)");
  };
  const auto underscore = text.find('_');
  if (underscore == std::string_view::npos) return fail("no '_' after the count");
  AllReduceProblem p;
  const auto dims = split_dims(text.substr(0, underscore), where, text);
  if (dims.size() != 1 || dims[0].first != "n") return fail("the first token must be n<count>");
  if (dims[0].second <= 0) return fail("the count must be positive");
  p.count = dims[0].second;

  std::string_view rest = text.substr(underscore + 1);
  const int op = take_suffix(rest, kOps);
  if (op < 0) return fail("unknown reduction (valid: " + reduce_op_choices() + ")");
  p.op = static_cast<ReduceOp>(op);
  static constexpr std::array<std::string_view, 1> kInplace{"inplace"};
  p.inplace = take_suffix(rest, kInplace) == 0;
  const int type = take_suffix(rest, kTypeNames);
  if (type < 0) return fail("unknown type (valid: " + allreduce_type_choices() + ")");
  p.type = kTypes[static_cast<std::size_t>(type)];
  if (!rest.empty()) return fail("unexpected '" + std::string(rest) + "' at the end");
  return p;
}

double algbw_gbps(double bytes, double seconds) { return seconds > 0 ? bytes / seconds / 1e9 : 0; }

double busbw_factor(int ranks) { return ranks > 1 ? 2.0 * (ranks - 1) / ranks : 0.0; }

}  // namespace dlbench
