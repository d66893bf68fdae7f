// The flag parser: values, defaults, and errors that name the flag and the valid choices.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "harness/flags.hpp"

namespace dlbench {
namespace {

struct Args {
  std::vector<std::string> storage;
  std::vector<char*> argv;
  explicit Args(std::vector<std::string> a) : storage(std::move(a)) {
    storage.insert(storage.begin(), "prog");
    for (auto& s : storage) argv.push_back(s.data());
  }
  int argc() { return static_cast<int>(argv.size()); }
};

std::string parse_error(FlagSet& flags, std::vector<std::string> a) {
  Args args(std::move(a));
  try {
    flags.parse(args.argc(), args.argv.data());
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Flags, ParsesEveryKind) {
  FlagSet flags("prog");
  std::string s = "x";
  std::vector<std::string> list{"default"};
  int n = 1;
  double d = 0.5;
  bool b = false;
  std::string choice = "plain";
  flags.add_string("name", "S", "", &s);
  flags.add_list("shapes", "", &list);
  flags.add_int("threads", "", &n, 1);
  flags.add_double("noise", "", &d, 0);
  flags.add_bool("list", "", &b);
  flags.add_choice("b_layout", {"plain", "packed", "both"}, "", &choice);
  Args args({"--name=y", "--shapes=a,b", "--shapes=c", "--threads=4", "--noise=1.5", "--list", "--b_layout=both"});
  EXPECT_TRUE(flags.parse(args.argc(), args.argv.data()));
  EXPECT_EQ(s, "y");
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b", "c"}));  // first use replaces the default, later ones append
  EXPECT_EQ(n, 4);
  EXPECT_DOUBLE_EQ(d, 1.5);
  EXPECT_TRUE(b);
  EXPECT_EQ(choice, "both");
}

TEST(Flags, ErrorsNameTheFlag) {
  FlagSet flags("prog");
  int n = 1;
  double d = 0;
  std::string choice = "plain";
  std::vector<std::string> list;
  flags.add_int("threads", "", &n, 1);
  flags.add_double("noise", "", &d, 0);
  flags.add_choice("b_layout", {"plain", "packed"}, "", &choice);
  flags.add_list("shapes", "", &list);
  EXPECT_NE(parse_error(flags, {"--threads=0"}).find("--threads: must be at least 1"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"--threads=two"}).find("--threads: expected an integer"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"--threads"}).find("--threads: needs a value"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"--noise=abc"}).find("--noise: expected a number"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"--b_layout=tiled"}).find("valid: plain|packed"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"--shapes="}).find("--shapes: empty list"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"--bogus=1"}).find("unknown flag --bogus"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"stray"}).find("unexpected argument 'stray'"), std::string::npos);
  EXPECT_NE(parse_error(flags, {"--benchmark_filterr=x"}).find("not a Google Benchmark 1.7.1 flag"),
            std::string::npos);
}

TEST(Flags, UsageListsFlagsAndDefaults) {
  FlagSet flags("prog");
  int n = 3;
  flags.add_int("threads", "worker threads", &n, 1);
  const std::string u = flags.usage();
  EXPECT_NE(u.find("--threads=N"), std::string::npos);
  EXPECT_NE(u.find("[default: 3]"), std::string::npos);
  EXPECT_NE(u.find("--benchmark_filter"), std::string::npos);
}

TEST(Flags, SplitList) {
  EXPECT_EQ(split_list("a,,b,"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split_list("").empty());
}

}  // namespace
}  // namespace dlbench
