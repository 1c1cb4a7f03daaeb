// The one way the tools start a child process: its output captured, a
// stream of records read as they come, a timeout, death with the parent,
// no descriptor leaked, every failure said.
//
// The child's fd 2 (and fd 1, or /dev/null) is the report pipe, fd 3 the
// data pipe; every other descriptor the parent opened with O_CLOEXEC is
// closed at an exec. A child that outlives the timeout is killed. The
// timeout only guards: a child that ends is judged by what it printed and
// its exit status, never by how long it took.
#ifndef NSFUZZ_FUZZERS_TRIAGE_SUBPROCESS_H_
#define NSFUZZ_FUZZERS_TRIAGE_SUBPROCESS_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace nsfuzz {

struct ChildOptions {
  bool stdout_to_report = true;  // else the child's stdout is /dev/null
  int timeout_seconds = 0;       // 0: none
};

struct ChildExit {
  int status = 0;          // as waitpid gives it
  bool timed_out = false;  // killed at the timeout
  std::string report;      // what it wrote to fd 2 (and fd 1)
};

// The data fd in the child.
inline constexpr int kChildDataFd = 3;

// Forks; the child runs `child` (which may exec) and exits 0 if it
// returns. Each chunk the child writes to kChildDataFd goes to on_data as
// it comes. Returns "" when the child ran (whatever its status), else why
// it could not start (one line), with nothing left open.
std::string run_child(const ChildOptions &o, const std::function<void()> &child,
                      const std::function<void(const char *, size_t)> &on_data,
                      ChildExit *out);

// run_child for a program: the child execs argv (argv[0] a path; status
// 127 if it cannot).
std::string run_command(
    const ChildOptions &o, const std::vector<std::string> &argv,
    const std::function<void(const char *, size_t)> &on_data, ChildExit *out);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_TRIAGE_SUBPROCESS_H_
