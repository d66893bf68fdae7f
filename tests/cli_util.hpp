// Running a benchmark binary as a user does, from tests: exit code, stdout, stderr, and the CSV it wrote.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/shape_table.hpp"

namespace dlbench::cli {

namespace fs = std::filesystem;

// Short timing so a CLI test runs in seconds; the figures are not what such tests check.
inline const std::string kFast = " --warmup=0 --min_samples=3 --min_time=0.002 --max_time=0.05 ";

struct Outcome {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("dlbench_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

inline Outcome run(const std::string& binary, const std::string& args) {
  const fs::path d = temp_dir();
  // Binaries read measured targets from ~/.config/dlbench/targets unless told otherwise: a test's rows must not
  // depend on what a developer's machine has there. Tests that want a target directory set one themselves.
  if (!std::getenv("DLBENCH_TARGET_DIR")) {
    fs::create_directories(d / "no_targets");
    ::setenv("DLBENCH_TARGET_DIR", (d / "no_targets").c_str(), 1);
  }
  const std::string cmd = binary + " " + args + " >" + (d / "stdout").string() + " 2>" + (d / "stderr").string();
  const int status = std::system(cmd.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(d / "stdout");
  r.err = slurp(d / "stderr");
  return r;
}

using Row = std::map<std::string, std::string>;

inline std::vector<Row> read_csv(const fs::path& path, std::vector<std::string>* header = nullptr) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::vector<std::string> cols;
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    EXPECT_FALSE(line.empty() || line.back() != '\r') << "rows must end in CRLF";
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto fields = split_csv_record(line, path.string());
    if (cols.empty()) {
      cols = fields;
      continue;
    }
    EXPECT_EQ(fields.size(), cols.size()) << line;
    Row r;
    for (std::size_t i = 0; i < cols.size() && i < fields.size(); ++i) r[cols[i]] = fields[i];
    rows.push_back(r);
  }
  if (header) *header = cols;
  return rows;
}

inline double num(const Row& row, const std::string& column) { return std::stod(row.at(column)); }

inline fs::path write_table(const std::string& name, const std::string& text) {
  const fs::path p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

inline const std::string kOneDnn = " --backends=onednn ";

// `binary --help` exits 0 and names each of `flags` (as usage prints them, e.g. "--csv=FILE").
inline void expect_help_lists(const std::string& binary, std::initializer_list<const char*> flags) {
  const Outcome r = run(binary, "--help");
  EXPECT_EQ(r.code, 0);
  for (const char* flag : flags) EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
}

// True when `binary` was built without any backend of `kernel`; then it must say so and exit 2.
inline bool built_without_backends(const std::string& binary, const std::string& kernel) {
  const Outcome r = run(binary, "--list");
  if (r.err.find("built without any " + kernel + " backend") != std::string::npos) {
    EXPECT_EQ(r.code, 2);
    return true;
  }
  return false;
}

// The availability line `binary --list` prints for `backend`: "" when the binary lacks it, else the text after its
// name ("oneDNN 2.6.3 on ..." or "unavailable: <reason>").
inline std::string backend_line(const std::string& binary, const std::string& backend) {
  const Outcome r = run(binary, "--list --shapes=smoke --precisions=fp32");
  const std::string key = "  " + backend + " ";
  const auto at = r.out.find(key);
  if (r.code != 0 || at == std::string::npos || at > r.out.find("Cases")) return "";
  const auto begin = r.out.find_first_not_of(' ', at + key.size());
  return r.out.substr(begin, r.out.find('\n', begin) - begin);
}

// Measured rows in the CLI tests run on oneDNN, the backend every CI machine has.
inline bool onednn_usable(const std::string& binary) {
  const std::string line = backend_line(binary, "onednn");
  return !line.empty() && line.rfind("unavailable", 0) != 0;
}

}  // namespace dlbench::cli

#define DLBENCH_REQUIRE_ONEDNN(binary) \
  if (!dlbench::cli::onednn_usable(binary)) GTEST_SKIP() << "this build has no usable oneDNN backend"
