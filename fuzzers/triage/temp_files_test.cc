// Temporaries: renamed into place, invisible, swept when their writer is
// gone; the scratch folder removed on exit and on a signal.
#include "fuzzers/triage/temp_files.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace nsfuzz {
namespace {
namespace fs = std::filesystem;

std::vector<uint8_t> bytes(const std::string &s) {
  return {s.begin(), s.end()};
}

std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> listing(const fs::path &dir) {
  std::vector<std::string> out;
  for (const auto &e : fs::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

fs::path fresh_dir(const std::string &name) {
  fs::path d = fs::path(testing::TempDir()) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// The pid of a process that has exited and been reaped.
pid_t dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(TemporaryName, IsADotNameWithThePid) {
  std::string n = temporary_name("case");
  EXPECT_EQ(n, ".tmp-case-" + std::to_string(getpid()));
  EXPECT_TRUE(is_temporary(n));
  EXPECT_FALSE(is_temporary("case"));
}

TEST(WriteFileAtomic, WritesAndLeavesNoTemporary) {
  fs::path d = fresh_dir("write_file");
  EXPECT_EQ(write_file_atomic((d / "a.bin").string(), bytes("abc")), "");
  EXPECT_EQ(slurp(d / "a.bin"), "abc");
  EXPECT_EQ(listing(d), std::vector<std::string>{"a.bin"});
  std::string err =
      write_file_atomic((d / "no/such/a.bin").string(), bytes(""));
  // It names the file asked for, never our temporary.
  EXPECT_EQ(err.rfind((d / "no/such/a.bin").string() + ": cannot write", 0), 0u)
      << err;
  EXPECT_EQ(err.find(".tmp-"), std::string::npos) << err;
}

TEST(WriteDirAtomic, AppearsWholeAndNeverOverwrites) {
  fs::path root = fresh_dir("write_dir");
  EXPECT_EQ(write_dir_atomic(root.string(), "c",
                             {{"x.txt", bytes("1")}, {"y.bin", bytes("2")}}),
            "");
  EXPECT_EQ(listing(root), std::vector<std::string>{"c"});
  EXPECT_EQ(listing(root / "c"), (std::vector<std::string>{"x.txt", "y.bin"}));
  std::string err =
      write_dir_atomic(root.string(), "c", {{"x.txt", bytes("other")}});
  EXPECT_NE(err.find("exists already"), std::string::npos) << err;
  EXPECT_EQ(slurp(root / "c" / "x.txt"), "1");
  EXPECT_EQ(listing(root), std::vector<std::string>{"c"});
}

TEST(ReplaceDirAtomic, SwapsInTheNewFilesAndLeavesNoTemporary) {
  fs::path root = fresh_dir("replace_dir");
  ASSERT_EQ(
      write_dir_atomic(root.string(), "c",
                       {{"x.txt", bytes("old")}, {"gone.txt", bytes("")}}),
      "");
  EXPECT_EQ(replace_dir_atomic(root.string(), "c", {{"x.txt", bytes("new")}}),
            "");
  EXPECT_EQ(listing(root), std::vector<std::string>{"c"});
  EXPECT_EQ(listing(root / "c"), std::vector<std::string>{"x.txt"});
  EXPECT_EQ(slurp(root / "c" / "x.txt"), "new");
  // Nothing to replace: an error, and nothing created.
  std::string err =
      replace_dir_atomic(root.string(), "missing", {{"x.txt", bytes("1")}});
  EXPECT_NE(err.find("missing: no such folder to replace"), std::string::npos)
      << err;
  EXPECT_EQ(listing(root), std::vector<std::string>{"c"});
}

TEST(SweepTemporaries, RemovesOnlyThoseOfGoneWriters) {
  fs::path root = fresh_dir("sweep");
  std::string gone = ".tmp-case-" + std::to_string(dead_pid());
  std::string mine = temporary_name("case");
  fs::create_directories(root / gone);
  std::ofstream(root / gone / "case.txt") << "half";
  fs::create_directories(root / mine);
  fs::create_directories(root / ".tmp-init-1");  // a live process
  fs::create_directories(root / "real-case");
  EXPECT_EQ(sweep_temporaries(root.string()), 1);
  std::vector<std::string> left = {".tmp-init-1", mine, "real-case"};
  std::sort(left.begin(), left.end());
  EXPECT_EQ(listing(root), left);
  EXPECT_EQ(sweep_temporaries((root / "missing").string()), 0);
}

TEST(ScratchDir, IsRemovedOnDestruction) {
  std::string path;
  {
    ScratchDir s("nsfuzz-test", {"input.bin"});
    ASSERT_TRUE(s.ok());
    path = s.path();
    EXPECT_EQ(write_file_atomic(path + "/input.bin", bytes("x")), "");
    EXPECT_TRUE(fs::exists(path + "/input.bin"));
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(ScratchDir, IsRemovedOnSigterm) {
  int fd[2];
  ASSERT_EQ(pipe(fd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    ScratchDir s("nsfuzz-test", {"input.bin"});
    if (!s.ok()) _exit(3);
    write_file_atomic(s.path() + "/input.bin", bytes("x"));
    (void)!write(fd[1], s.path().c_str(), s.path().size());
    close(fd[1]);
    raise(SIGTERM);
    _exit(4);  // not reached
  }
  close(fd[1]);
  char buf[4096];
  ssize_t n = read(fd[0], buf, sizeof buf);
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_GT(n, 0);
  std::string path(buf, n);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  EXPECT_FALSE(fs::exists(path)) << path;
}

}  // namespace
}  // namespace nsfuzz
