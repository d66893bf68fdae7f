// make_process_group() of binaries built without MPI: one process, whatever launched it.
#include "harness/process_group.hpp"

namespace dlbench {

std::unique_ptr<ProcessGroup> make_process_group(int&, char**&) { return std::make_unique<SingleProcess>(); }

}  // namespace dlbench
