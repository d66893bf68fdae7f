// What every kernel's Suite shares: the backends and precisions the common options select, the tables they name,
// and each case's seed. A suite keeps only what is its own (its table columns, its problem, its configurations).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/input_error.hpp"
#include "common/precision.hpp"
#include "common/shape_table.hpp"
#include "harness/backend.hpp"
#include "harness/suite.hpp"

namespace dlbench {

// --precisions, or every precision when it is empty. Throws InputError naming an unknown one.
std::vector<Precision> select_precisions(const CommonOptions& options);

// The settings every backend of a run is created with.
BackendSettings backend_settings(const CommonOptions& options);

// Loads each --shapes table of `kernel` (shapes/<kernel>/NAME.csv or a path) and hands it to `visit`, in order.
// A table named twice is an error: its rows would run twice under the same names.
void for_each_table(const CommonOptions& options, const std::string& kernel,
                    const std::function<void(const ShapeTable&)>& visit);

// The seed of a case's inputs, from its problem's canonical name: every backend gets the same inputs for the same
// problem, so their errors are comparable, and a case's inputs do not change when other rows are added.
std::uint64_t case_seed(const std::string& problem_key, int seed);

// The backends of one kernel interface that a run uses, created once and shared by its cases.
template <class Interface>
class BackendSet {
 public:
  // --backends (every registered backend when empty), created on first use. Throws InputError for a name not
  // registered, listing those that are.
  std::vector<std::pair<std::string, std::shared_ptr<Interface>>> select(const CommonOptions& options,
                                                                         const std::string& kernel) {
    return select(options, kernel, backend_settings(options));
  }
  // The same, creating the backends with `settings` (a suite with settings of its own, e.g. --gpus).
  std::vector<std::pair<std::string, std::shared_ptr<Interface>>> select(const CommonOptions& options,
                                                                         const std::string& kernel,
                                                                         const BackendSettings& settings) {
    const auto& registry = Registry<Interface>::instance();
    const std::vector<std::string> names = options.backends.empty() ? registry.names() : options.backends;
    if (names.empty())
      throw InputError("this " + kernel + "_bench was built without any " + kernel +
                       " backend (the CMake summary says why each was disabled)");
    std::vector<std::pair<std::string, std::shared_ptr<Interface>>> out;
    for (const auto& name : names) {
      if (!registry.contains(name)) {
        std::string valid;
        for (const auto& n : registry.names()) valid += (valid.empty() ? "" : ", ") + n;
        throw InputError("--backends: unknown backend '" + name + "' (built into this binary: " +
                         (valid.empty() ? "none" : valid) + ")");
      }
      auto& backend = backends_[name];
      if (!backend) backend = registry.create(name, settings);
      out.emplace_back(name, backend);
    }
    return out;
  }

  // Availability, library, device and context of each backend created so far (--list and the run's context).
  std::vector<Suite::BackendInfo> infos() const {
    std::vector<Suite::BackendInfo> out;
    for (const auto& [name, backend] : backends_) {
      const Availability a = backend->availability();
      out.push_back({name, backend->library(), backend->device(), a.available ? "" : a.reason, backend->context()});
    }
    return out;
  }

 private:
  std::map<std::string, std::shared_ptr<Interface>> backends_;
};

}  // namespace dlbench
