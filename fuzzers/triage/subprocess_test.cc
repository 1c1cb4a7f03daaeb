#include "fuzzers/triage/subprocess.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace nsfuzz {
namespace {

int open_fds() {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  while (readdir(d)) ++n;
  closedir(d);
  return n;
}

TEST(SubprocessTest, ReportDataAndStatus) {
  int before = open_fds();
  std::string data;
  ChildExit end;
  std::string err = run_child(
      {},
      [] {
        std::fputs("to stdout\n", stdout);
        std::fflush(stdout);
        write(2, "to stderr\n", 10);
        write(kChildDataFd, "records", 7);
        _exit(3);
      },
      [&](const char *p, size_t n) { data.append(p, n); }, &end);
  EXPECT_EQ(err, "");
  EXPECT_FALSE(end.timed_out);
  EXPECT_TRUE(WIFEXITED(end.status));
  EXPECT_EQ(WEXITSTATUS(end.status), 3);
  EXPECT_NE(end.report.find("to stdout"), std::string::npos);
  EXPECT_NE(end.report.find("to stderr"), std::string::npos);
  EXPECT_EQ(data, "records");
  EXPECT_EQ(open_fds(), before);  // nothing left open
}

TEST(SubprocessTest, StdoutCanGoNowhere) {
  ChildExit end;
  run_child(
      {.stdout_to_report = false},
      [] {
        std::fputs("to stdout\n", stdout);
        std::fflush(stdout);
        write(2, "to stderr\n", 10);
      },
      [](const char *, size_t) {}, &end);
  EXPECT_EQ(end.report, "to stderr\n");
  EXPECT_TRUE(WIFEXITED(end.status) && WEXITSTATUS(end.status) == 0);
}

TEST(SubprocessTest, ATimeoutKills) {
  int before = open_fds();
  ChildExit end;
  std::string err = run_child(
      {.timeout_seconds = 1},
      [] {
        write(2, "waiting\n", 8);
        for (;;) pause();
      },
      [](const char *, size_t) {}, &end);
  EXPECT_EQ(err, "");
  EXPECT_TRUE(end.timed_out);
  EXPECT_TRUE(WIFSIGNALED(end.status));
  EXPECT_EQ(end.report, "waiting\n");
  EXPECT_EQ(open_fds(), before);
}

// An exec'd child keeps fd 3 as the data pipe and nothing else of ours.
TEST(SubprocessTest, AnExecKeepsOnlyItsFds) {
  std::string data;
  ChildExit end;
  run_child(
      {},
      [] {
        execl("/bin/sh", "sh", "-c", "echo data >&3; ls /proc/self/fd >&2",
              nullptr);
        _exit(127);
      },
      [&](const char *p, size_t n) { data.append(p, n); }, &end);
  EXPECT_EQ(data, "data\n");
  // 0, 1, 2, 3 and the one ls opens to list them.
  int fds = 0;
  for (char c : end.report) fds += c == '\n';
  EXPECT_EQ(fds, 5) << end.report;
}

}  // namespace
}  // namespace nsfuzz
