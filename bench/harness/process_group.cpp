#include "harness/process_group.hpp"

#include <unistd.h>

#include <stdexcept>

#include "common/input_error.hpp"

namespace dlbench {

double ProcessGroup::max(double v) {
  all_reduce(std::span<double>(&v, 1), Reduction::max);
  return v;
}

double ProcessGroup::sum(double v) {
  all_reduce(std::span<double>(&v, 1), Reduction::sum);
  return v;
}

bool ProcessGroup::any(bool mine) { return max(mine ? 1.0 : 0.0) > 0; }

std::string SingleProcess::host() const {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
}

RankStatus combine_statuses(const std::vector<RankStatus>& statuses) {
  RankStatus worst;
  std::size_t first = 0;
  for (std::size_t r = 0; r < statuses.size(); ++r)
    if (statuses[r].code > worst.code || (statuses[r].code == worst.code && worst.reason.empty() &&
                                          !statuses[r].reason.empty())) {
      worst = statuses[r];
      first = r;
    }
  if (worst.code == RankStatus::ok || statuses.size() == 1) return worst;
  for (const auto& s : statuses)
    if (s.code != worst.code || s.reason != worst.reason) {
      worst.reason = "rank " + std::to_string(first) + ": " + worst.reason;
      break;
    }
  return worst;
}

RankStatus agree_status(ProcessGroup& group, const RankStatus& mine) {
  if (group.size() == 1) return mine;
  const auto texts = group.all_gather(std::to_string(static_cast<int>(mine.code)) + mine.reason);
  std::vector<RankStatus> statuses;
  for (const auto& t : texts)
    statuses.push_back({static_cast<RankStatus::Code>(t.at(0) - '0'), t.substr(1)});
  return combine_statuses(statuses);
}

int first_mismatch(ProcessGroup& group, const std::string& mine, std::string* rank0_text, std::string* other_text) {
  const auto texts = group.all_gather(mine);
  for (std::size_t r = 1; r < texts.size(); ++r)
    if (texts[r] != texts[0]) {
      if (rank0_text) *rank0_text = texts[0];
      if (other_text) *other_text = texts[r];
      return static_cast<int>(r);
    }
  return -1;
}

std::string on_root(ProcessGroup& group, const std::function<std::string()>& produce) {
  // One broadcast carries either the result ('R' first), rank 0's input error ('E') or another failure ('F'), which
  // every rank then throws as rank 0 did.
  std::string message;
  if (group.is_root()) {
    try {
      message = "R" + produce();
    } catch (const InputError& e) {
      message = std::string("E") + e.what();
    } catch (const std::exception& e) {
      message = std::string("F") + e.what();
    }
  }
  if (group.size() > 1) message = group.broadcast(message);
  if (message.front() == 'E') throw InputError(message.substr(1));
  if (message.front() == 'F') throw std::runtime_error("rank 0: " + message.substr(1));
  return message.substr(1);
}

}  // namespace dlbench
