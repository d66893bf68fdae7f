// Backends and their registry. A backend is a folder under backends/ whose objects register one implementation
// per kernel, by name, at static-initialisation time; nothing outside the folder lists it.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "target/hardware.hpp"

namespace dlbench {

class ProcessGroup;

// Settings every backend receives when it is created.
struct BackendSettings {
  int threads = 1;  // CPU backends: worker threads; recorded in every row
  int device = 0;   // device backends: which device
  // Backends that choose among algorithms: 0 takes the library's own first choice (its heuristic); N > 0 times
  // the library's top N candidates on each case and keeps the fastest. Rows say which was taken and how.
  int autotune = 0;
  // Scratch memory a device library may use per call. Larger lets some libraries pick faster algorithms (cuBLASLt
  // asks for 32 MiB on Hopper); it is allocated once per case, outside the timed region.
  std::size_t workspace_bytes = std::size_t{32} << 20;
  // Collective backends: the processes of the run (never null when created by a suite; it outlives the backend),
  // and how many local devices this one process drives (NCCL's single-process mode, --gpus).
  ProcessGroup* group = nullptr;
  int devices_per_process = 1;
};

// Whether a backend can run on this machine at all (library loaded, device present), and why not.
struct Availability {
  bool available = true;
  std::string reason;
};

// An answer to "can this backend run this case?": yes, or no with the reason shown in the skipped row.
struct Support {
  bool ok = true;
  std::string reason;
  static Support yes() { return {}; }
  static Support no(std::string why) { return {false, std::move(why)}; }
};

// Constructors must not throw: a backend whose library or device cannot be initialised here is still created,
// and says why through availability(), so its cases become skipped rows instead of ending the run.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Availability availability() const = 0;
  // One line naming the device the backend computes on, e.g. "Intel(R) Xeon(R) Platinum 8480+, 2 threads".
  virtual std::string device() const = 0;
  // The library and its version, e.g. "oneDNN 2.6.3 (a1b2c3d)".
  virtual std::string library() const = 0;
  // Static facts for the run's context (Google Benchmark's JSON "context" and the console header): device name,
  // PCI id, driver and library versions, ... as key/value pairs. Keys are prefixed with the backend name.
  virtual std::vector<std::pair<std::string, std::string>> context() const { return {}; }
  // The device as detected (target/hardware.hpp): what the hardware target, and so every row's roofline, is looked
  // up by. Unknown by default, which gives rows no roofline; host_cpu(threads) for CPU backends.
  virtual DeviceIdentity hardware() const { return {}; }
};

// Registry of the backends of one kernel interface (GemmBackend, later ConvBackend, ...).
template <class Interface>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Interface>(const BackendSettings&)>;

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  // Called from static initialisers; a name registered twice is a build mistake, so stop at once and say so.
  bool add(const std::string& name, Factory factory) {
    if (!factories_.emplace(name, std::move(factory)).second) {
      std::fprintf(stderr, "dlbench: backend '%s' registered twice for one kernel\n", name.c_str());
      std::abort();
    }
    return true;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, f] : factories_) out.push_back(name);
    return out;  // std::map keeps them sorted, so case order is stable across builds
  }

  bool contains(const std::string& name) const { return factories_.count(name) > 0; }

  std::unique_ptr<Interface> create(const std::string& name, const BackendSettings& settings) const {
    return factories_.at(name)(settings);
  }

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace dlbench

// Registers `Type` (constructed from BackendSettings) as backend `name` of kernel interface `Interface`.
#define DLBENCH_REGISTER_BACKEND(Interface, name, Type)                                                 \
  static const bool dlbench_registered_##Type = ::dlbench::Registry<Interface>::instance().add(         \
      name, [](const ::dlbench::BackendSettings& s) -> std::unique_ptr<Interface> {                      \
        return std::make_unique<Type>(s);                                                                \
      })
