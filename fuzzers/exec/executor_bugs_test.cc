// The injected bugs that only a specific interleaving exposes: each one's
// Program (fuzzers/testing/bugs/<bug>.txt) makes the executor find it, the same
// way 20 times out of 20, and runs clean under every correct protocol.
#include <gtest/gtest.h>

#include <string>

#include "core/bugs.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/testing/testing_programs.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NSFUZZ_TSAN 1
#endif
#endif

namespace nsfuzz {
namespace {

Program Load(Bug b) {
  return testing::LoadOrFail("fuzzers/testing/bugs/" +
                             std::string(bug_name(b)) + ".txt");
}

void RunWith(Bug b) {
  Executor e;
  RunOptions o;
  o.bug = b;
  e.run(Load(b), o);
}

struct Case {
  Bug bug;
  // What ASan (heap-use-after-free) or, without ASan, the model's own check
  // (==nsfuzz== ERROR: use-after-free) or TSan reports.
  const char *report;
};

class ExecutorBugsTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

class ExecutorDeadlockTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_P(ExecutorBugsTest, FoundTwentyTimesOutOfTwenty) {
  Case c = GetParam();
#ifndef NSFUZZ_TSAN
  if (c.bug == Bug::plain_nsproxy_access)
    GTEST_SKIP() << "a race with no memory error: only TSan sees it";
#endif
  for (int i = 0; i < 20; ++i)
    ASSERT_DEATH(RunWith(c.bug), c.report) << "run " << i + 1 << " of 20";
}

TEST_P(ExecutorBugsTest, CleanUnderEveryCorrectProtocol) {
  Program p = Load(GetParam().bug);
  Executor e;
  for (Protocol proto : kAllProtocols) {
    p.protocol = proto;
    RunResult r = e.run(p);  // a finding would abort the test
    EXPECT_GT(r.points, 0u);
  }
}

// A Program that deadlocks is reported as a deadlock, not a hang: T1 enters
// init's nsproxy from inside its read-side critical section, and the grace
// period that frees its old one would wait for T1 itself.
void RunDeadlock() {
  ParseResult r = parse_program(R"(# nsfuzz program v1
protocol rcu_2007
threads 2
privileged T1 T2
T1: unshare(NEWNS)
T2: gethostname(T1)
T1: setns(T0)
)");
  ASSERT_TRUE(r.ok()) << r.error;
  Executor e;
  RunOptions o;
  o.bug = Bug::synchronize_rcu_in_reader;
  e.run(r.program, o);
}

TEST_F(ExecutorDeadlockTest, ReportedAsADeadlockNotAHang) {
  for (int i = 0; i < 20; ++i)
    ASSERT_DEATH(RunDeadlock(), "deadlock on rcu in synchronize_rcu");
}

constexpr const char *kUseAfterFree = "use-after-free";
#ifdef NSFUZZ_TSAN
constexpr const char *kRaceOrUseAfterFree = "ThreadSanitizer: data race";
#else
constexpr const char *kRaceOrUseAfterFree = "use-after-free";
#endif

INSTANTIATE_TEST_SUITE_P(
    Interleavings, ExecutorBugsTest,
    ::testing::Values(Case{Bug::free_without_grace_period, kUseAfterFree},
                      Case{Bug::reader_without_rcu_lock, kUseAfterFree},
                      Case{Bug::get_after_rcu_unlock, kUseAfterFree},
                      Case{Bug::setns_plain_get, kUseAfterFree},
                      Case{Bug::setns_no_ref_across_switch, kUseAfterFree},
                      Case{Bug::reader_without_task_lock, kRaceOrUseAfterFree},
                      Case{Bug::plain_nsproxy_access,
                           "ThreadSanitizer: data race"}),
    [](const auto &info) { return std::string(bug_name(info.param.bug)); });

}  // namespace
}  // namespace nsfuzz
