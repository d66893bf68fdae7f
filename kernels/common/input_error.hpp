// The one exception type for bad user input (shape files, flags, problem strings). Its message is complete and
// names where the input came from ("shapes/gemm/x.csv:7: field 'm': ..." or "--precisions: ..."), so the top level
// prints it as is and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace dlbench {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace dlbench
