#include "harness/progress.hpp"

#include <cstdio>

namespace dlbench {

std::string Progress::format_duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

void Progress::begin(int index, const std::string& name) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "?";
  if (index > 1) eta = "~" + format_duration(elapsed / (index - 1) * (total_ - index + 1));
  std::fprintf(stderr, "[%d/%d] %s  (elapsed %s, left %s)\n", index, total_, name.c_str(),
               format_duration(elapsed).c_str(), eta.c_str());
  std::fflush(stderr);
}

}  // namespace dlbench
