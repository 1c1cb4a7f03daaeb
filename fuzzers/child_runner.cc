// Runs in child processes, with a timeout that kills a hung child.
#include "fuzzers/child_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "fuzzers/decoder.h"
#include "fuzzers/temp_files.h"

namespace nsfuzz {

ChildRunner::ChildRunner(std::vector<std::string> quiet,
                         std::vector<std::string> traced, std::string input,
                         int timeout_seconds)
    : quiet_(std::move(quiet)),
      traced_(std::move(traced)),
      input_(std::move(input)),
      timeout_seconds_(timeout_seconds) {}

RunOutcome ChildRunner::run(const Program &p) {
  return run_with(quiet_, p);
}

RunOutcome ChildRunner::run_traced(const Program &p) {
  return run_with(traced_, p);
}

RunOutcome ChildRunner::run_with(const std::vector<std::string> &command,
                                 const Program &p) {
  std::string err = write_file_atomic(input_, encode(p));
  if (!err.empty()) throw std::runtime_error(err);
  std::vector<std::string> args = command;
  args.push_back(input_);
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipefd[2];
  if (pipe(pipefd) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The child dies with the parent (an interrupted triage leaves none).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    close(pipefd[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  // The timeout guards against a child that never ends; it reads the clock
  // only to stop waiting, never to judge a run that ended.
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline =
      Clock::now() + std::chrono::seconds(timeout_seconds_);
  RunOutcome o;
  bool hung = false;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - Clock::now())
                    .count();
    if (left <= 0) {
      hung = true;
      break;
    }
    struct pollfd pfd = {pipefd[0], POLLIN, 0};
    int r = poll(&pfd, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;  // the deadline is checked above
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    o.report.append(buf, n);
  }
  close(pipefd[0]);
  if (hung) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (hung) {
    std::string summary = "SUMMARY: nsfuzz: hang: no end after " +
                          std::to_string(timeout_seconds_) + " s (killed)";
    o.report += "\n" + summary + "\n";
    o.finding = Signature{kHangKind, "?", summary};
    return o;
  }
  o.finding = signature_of(o.report);
  if (!o.finding && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    o.finding = Signature{"crash:unparsed", "?",
                          "exit status " + std::to_string(status)};
  return o;
}

}  // namespace nsfuzz
