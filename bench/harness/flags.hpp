// A small command-line parser for dlbench's own flags (Google Benchmark's are stripped before this sees argv).
// Every error names the flag and, for choices, lists the valid values.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dlbench {

class FlagSet {
 public:
  explicit FlagSet(std::string program) : program_(std::move(program)) {}

  // --name=VALUE. `value_name` is shown in --help (e.g. "N", "LIST").
  void add_string(const std::string& name, const std::string& value_name, const std::string& help, std::string* out);
  // --name=a,b,c; repeating the flag appends.
  void add_list(const std::string& name, const std::string& help, std::vector<std::string>* out);
  void add_int(const std::string& name, const std::string& help, int* out, int min_value);
  void add_double(const std::string& name, const std::string& help, double* out, double min_value);
  // --name or --name=true|false.
  void add_bool(const std::string& name, const std::string& help, bool* out);
  // --name=VALUE where VALUE must be one of `choices`.
  void add_choice(const std::string& name, const std::vector<std::string>& choices, const std::string& help,
                  std::string* out);

  // Parses argv[1..]; throws InputError for an unknown flag, a missing or bad value, or a positional argument.
  // Returns false when --help was given (usage already printed).
  bool parse(int argc, char** argv);
  std::string usage() const;

 private:
  struct Flag {
    std::string name, value_name, help, default_text;
    bool takes_value = true;
    std::function<void(const std::string&)> set;
  };
  void add(Flag flag);

  std::string program_;
  std::vector<Flag> flags_;
};

// Splits "a,b,c" into its non-empty items.
std::vector<std::string> split_list(const std::string& text);

}  // namespace dlbench
