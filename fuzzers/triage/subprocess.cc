// Child processes (see subprocess.h).
#include "fuzzers/triage/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace nsfuzz {

namespace {

// In the child: `fd` becomes `target`, open across an exec.
void move_fd(int fd, int target) {
  if (fd == target) {
    fcntl(fd, F_SETFD, 0);
  } else if (dup2(fd, target) < 0) {
    _exit(127);
  }
}

}  // namespace

std::string run_child(const ChildOptions &o, const std::function<void()> &child,
                      const std::function<void(const char *, size_t)> &on_data,
                      ChildExit *out) {
  *out = ChildExit{};
  int report[2], data[2];
  if (pipe2(report, O_CLOEXEC) != 0)
    return std::string("pipe: ") + std::strerror(errno);
  if (pipe2(data, O_CLOEXEC) != 0) {
    std::string why = std::string("pipe: ") + std::strerror(errno);
    close(report[0]), close(report[1]);
    return why;
  }
  std::fflush(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    std::string why = std::string("fork: ") + std::strerror(errno);
    for (int fd : {report[0], report[1], data[0], data[1]}) close(fd);
    return why;
  }
  if (pid == 0) {
    // The child dies with the parent (an interrupted tool leaves none).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // Out of the way of 1..3 first, so that no dup2 clobbers another.
    int rep = fcntl(report[1], F_DUPFD_CLOEXEC, 10);
    int dat = fcntl(data[1], F_DUPFD_CLOEXEC, 10);
    int null = o.stdout_to_report ? rep : open("/dev/null", O_WRONLY);
    if (rep < 0 || dat < 0 || null < 0) _exit(127);
    move_fd(null, 1);
    move_fd(rep, 2);
    move_fd(dat, kChildDataFd);
    child();
    _exit(0);
  }
  close(report[1]), close(data[1]);
  using Clock = std::chrono::steady_clock;  // to stop waiting, never to judge
  Clock::time_point deadline =
      Clock::now() + std::chrono::seconds(o.timeout_seconds);
  pollfd fds[2] = {{report[0], POLLIN, 0}, {data[0], POLLIN, 0}};
  char buf[1 << 16];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    int wait_ms = -1;
    if (o.timeout_seconds > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - Clock::now())
                      .count();
      if (left <= 0) {
        out->timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left);
    }
    if (poll(fds, 2, wait_ms) < 0) {
      if (errno == EINTR) continue;
      kill(pid, SIGKILL);  // cannot follow it: do not wait for it either
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !fds[i].revents) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
      } else if (i == 0) {
        out->report.append(buf, n);
      } else {
        on_data(buf, static_cast<size_t>(n));
      }
    }
  }
  for (const pollfd &f : fds)
    if (f.fd >= 0) close(f.fd);
  if (out->timed_out) kill(pid, SIGKILL);
  while (waitpid(pid, &out->status, 0) < 0 && errno == EINTR) {
  }
  return "";
}

std::string run_command(
    const ChildOptions &o, const std::vector<std::string> &argv,
    const std::function<void(const char *, size_t)> &on_data, ChildExit *out) {
  // Built before the fork: the child only execs.
  std::vector<std::string> args = argv;
  std::vector<char *> ptrs;
  for (std::string &a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  return run_child(
      o,
      [&] {
        execv(ptrs[0], ptrs.data());
        _exit(127);
      },
      on_data, out);
}

}  // namespace nsfuzz
