#include "harness/flags.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/input_error.hpp"

namespace dlbench {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

namespace {

std::string format_default(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

void FlagSet::add(Flag flag) {
  for (const auto& f : flags_)
    if (f.name == flag.name) throw std::logic_error("flag --" + flag.name + " defined twice");
  flags_.push_back(std::move(flag));
}

void FlagSet::add_string(const std::string& name, const std::string& value_name, const std::string& help,
                         std::string* out) {
  add({name, value_name, help, *out, true, [out](const std::string& v) { *out = v; }});
}

void FlagSet::add_list(const std::string& name, const std::string& help, std::vector<std::string>* out) {
  std::string def;
  for (const auto& s : *out) def += (def.empty() ? "" : ",") + s;
  // The first explicit use replaces the default list; later uses append to it.
  auto replaced = std::make_shared<bool>(false);
  add({name, "LIST", help, def, true, [name, out, replaced](const std::string& v) {
         auto items = split_list(v);
         if (items.empty()) throw InputError("--" + name + ": empty list");
         if (!*replaced) out->clear();
         *replaced = true;
         out->insert(out->end(), items.begin(), items.end());
       }});
}

void FlagSet::add_int(const std::string& name, const std::string& help, int* out, int min_value) {
  add({name, "N", help, std::to_string(*out), true, [name, out, min_value](const std::string& v) {
         int x = 0;
         const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
         if (ec != std::errc() || ptr != v.data() + v.size())
           throw InputError("--" + name + ": expected an integer, got '" + v + "'");
         if (x < min_value)
           throw InputError("--" + name + ": must be at least " + std::to_string(min_value) + ", got " + v);
         *out = x;
       }});
}

void FlagSet::add_double(const std::string& name, const std::string& help, double* out, double min_value) {
  add({name, "X", help, format_default(*out), true, [name, out, min_value](const std::string& v) {
         double x = 0;
         const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
         if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(x))
           throw InputError("--" + name + ": expected a number, got '" + v + "'");
         if (x < min_value)
           throw InputError("--" + name + ": must be at least " + format_default(min_value) + ", got " + v);
         *out = x;
       }});
}

void FlagSet::add_bool(const std::string& name, const std::string& help, bool* out) {
  add({name, "", help, *out ? "true" : "false", false, [name, out](const std::string& v) {
         if (v.empty() || v == "true" || v == "1") *out = true;
         else if (v == "false" || v == "0") *out = false;
         else throw InputError("--" + name + ": expected true or false, got '" + v + "'");
       }});
}

void FlagSet::add_choice(const std::string& name, const std::vector<std::string>& choices, const std::string& help,
                         std::string* out) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : "|") + c;
  add({name, list, help, *out, true, [name, choices, list, out](const std::string& v) {
         for (const auto& c : choices)
           if (c == v) {
             *out = v;
             return;
           }
         throw InputError("--" + name + ": unknown value '" + v + "' (valid: " + list + ")");
       }});
}

bool FlagSet::parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage().c_str(), stdout);
      return false;
    }
    if (arg.rfind("--", 0) != 0)
      throw InputError("unexpected argument '" + arg + "' (flags take the form --name=value; see --help)");
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const bool has_value = eq != std::string::npos;
    const std::string value = has_value ? arg.substr(eq + 1) : std::string();
    const Flag* flag = nullptr;
    for (const auto& f : flags_)
      if (f.name == name) flag = &f;
    if (!flag) {
      if (name.rfind("benchmark_", 0) == 0)
        throw InputError("--" + name + ": not a Google Benchmark 1.7.1 flag (see --help of Google Benchmark)");
      throw InputError("unknown flag --" + name + " (see --help for dlbench's flags)");
    }
    if (flag->takes_value && !has_value) throw InputError("--" + name + ": needs a value (--" + name + "=...)");
    flag->set(value);
  }
  return true;
}

std::string FlagSet::usage() const {
  std::ostringstream os;
  os << "usage: " << program_ << " [dlbench flags] [Google Benchmark flags]\n\n"
     << "Google Benchmark's flags work as usual (--benchmark_filter=REGEX, --benchmark_repetitions=N,\n"
     << "--benchmark_out=FILE --benchmark_out_format=json, --benchmark_list_tests, ...).\n\ndlbench flags:\n";
  for (const auto& f : flags_) {
    std::string lhs = "  --" + f.name + (f.takes_value ? "=" + f.value_name : "");
    os << lhs;
    if (lhs.size() < 30) os << std::string(30 - lhs.size(), ' ');
    else os << "\n" << std::string(30, ' ');
    os << f.help;
    if (!f.default_text.empty()) os << " [default: " << f.default_text << "]";
    os << "\n";
  }
  return os.str();
}

}  // namespace dlbench
