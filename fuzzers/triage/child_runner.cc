// Runs in child processes, with a timeout that kills a hung child.
#include "fuzzers/triage/child_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "fuzzers/exec/schedule.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/triage/temp_files.h"

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
  // The report on one pipe; the schedule's records (schedule.h) on another,
  // the child's fd 3.
  int pipefd[2], rec[2];
  if (pipe(pipefd) != 0 || pipe(rec) != 0)
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
    dup2(rec[1], 3);
    for (int fd : {pipefd[0], pipefd[1], rec[0], rec[1]})
      if (fd > 3) close(fd);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  close(rec[1]);
  // The timeout guards against a child that never ends; it reads the clock
  // only to stop waiting, never to judge a run that ended.
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline =
      Clock::now() + std::chrono::seconds(timeout_seconds_);
  RunOutcome o;
  std::string records;
  bool hung = false;
  char buf[4096];
  struct pollfd pfd[2] = {{pipefd[0], POLLIN, 0}, {rec[0], POLLIN, 0}};
  std::string *into[2] = {&o.report, &records};
  while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - Clock::now())
                    .count();
    if (left <= 0) {
      hung = true;
      break;
    }
    int r = poll(pfd, 2, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;  // the deadline is checked above
    for (int i = 0; i < 2; ++i) {
      if (pfd[i].fd < 0 || !pfd[i].revents) continue;
      ssize_t n = read(pfd[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(pfd[i].fd);
        pfd[i].fd = -1;
        continue;
      }
      into[i]->append(buf, n);
    }
  }
  for (const struct pollfd &f : pfd)
    if (f.fd >= 0) close(f.fd);
  o.schedule = read_records(records);
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
