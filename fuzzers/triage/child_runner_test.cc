// Child runs: a report, a clean run, a crash with no report, and a hang
// (killed at the timeout, reported as nsfuzz:hang).
#include "fuzzers/triage/child_runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

namespace nsfuzz {
namespace {

std::string input() {
  return (std::filesystem::path(testing::TempDir()) / "input.bin").string();
}

// A child that runs a shell line; the input file is its $1.
ChildRunner shell(const std::string &line, int timeout = 30) {
  std::vector<std::string> cmd = {"/bin/sh", "-c", line, "sh"};
  return ChildRunner(cmd, cmd, input(), timeout);
}

TEST(ChildRunner, CleanRunHasNoFinding) {
  RunOutcome o = shell("test -f \"$1\" && echo ran").run(Program{});
  EXPECT_FALSE(o.finding);
  EXPECT_EQ(o.report, "ran\n");
}

TEST(ChildRunner, ReportGivesItsSignature) {
  RunOutcome o = shell(
                     "echo '==nsfuzz== ERROR: deadlock on rcu' >&2;"
                     "echo 'SUMMARY: nsfuzz: deadlock rcu synchronize_rcu' >&2;"
                     " exit 1")
                     .run(Program{});
  ASSERT_TRUE(o.finding);
  EXPECT_EQ(o.finding->str(), "nsfuzz:deadlock @ rcu synchronize_rcu");
}

TEST(ChildRunner, SilentCrashIsUnparsed) {
  RunOutcome o = shell("exit 3").run(Program{});
  ASSERT_TRUE(o.finding);
  EXPECT_EQ(o.finding->kind, "crash:unparsed");
}

TEST(ChildRunner, HungChildIsKilledAndReportedAsHang) {
  auto start = std::chrono::steady_clock::now();
  RunOutcome o = shell("echo started; exec sleep 600", 1).run(Program{});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(o.finding);
  EXPECT_EQ(o.finding->str(), std::string(kHangKind) + " @ ?");
  EXPECT_NE(o.report.find("started"), std::string::npos);
  EXPECT_NE(o.report.find("SUMMARY: nsfuzz: hang"), std::string::npos);
  EXPECT_LT(took, std::chrono::seconds(30));
}

// The timeout never decides a run that ends: a slow clean run is clean.
TEST(ChildRunner, RunThatEndsIsJudgedByItsOutput) {
  RunOutcome o = shell("sleep 0.2; echo done", 5).run(Program{});
  EXPECT_FALSE(o.finding);
}

TEST(ChildRunner, MissingProgramIsACrash) {
  std::vector<std::string> cmd = {"/nonexistent/tool"};
  RunOutcome o = ChildRunner(cmd, cmd, input(), 5).run(Program{});
  ASSERT_TRUE(o.finding);
  EXPECT_EQ(o.finding->kind, "crash:unparsed");
}

}  // namespace
}  // namespace nsfuzz
