// Test helpers for the core: recording findings, running as a task.
#ifndef NSFUZZ_CORE_TESTING_WORLD_FIXTURE_H_
#define NSFUZZ_CORE_TESTING_WORLD_FIXTURE_H_

#include <mutex>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/task.h"

namespace nsfuzz::testing {

// Installs a handler that records findings instead of aborting.
class FindingRecorder {
 public:
  FindingRecorder() {
    previous_ = set_finding_handler(&Record);
    Clear();
  }
  ~FindingRecorder() { set_finding_handler(previous_); }
  static std::vector<Finding> Findings() {
    std::lock_guard<std::mutex> l(mu());
    return found();
  }
  static std::string Summary() {
    std::string s;
    for (const Finding &f : Findings()) s += format_finding(f);
    return s.empty() ? "no finding" : s;
  }
  static void Clear() {
    std::lock_guard<std::mutex> l(mu());
    found().clear();
  }

 private:
  static void Record(const Finding &f) {
    std::lock_guard<std::mutex> l(mu());
    found().push_back(f);
  }
  static std::mutex &mu() {
    static std::mutex m;
    return m;
  }
  static std::vector<Finding> &found() {
    static std::vector<Finding> v;
    return v;
  }
  FindingHandler previous_;
};

// Runs the enclosing scope as task `t` (sets `current`).
class AsTask {
 public:
  explicit AsTask(task_struct *t) : saved_(current) { current = t; }
  ~AsTask() { current = saved_; }

 private:
  task_struct *saved_;
};

}  // namespace nsfuzz::testing

#endif  // NSFUZZ_CORE_TESTING_WORLD_FIXTURE_H_
