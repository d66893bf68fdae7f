// Facts about the host a CPU backend runs on, for the `device` column and the run's context.
#pragma once

#include <string>

namespace dlbench {

// The processor's model name from /proc/cpuinfo ("unknown CPU" where there is none).
std::string cpu_model();

}  // namespace dlbench
