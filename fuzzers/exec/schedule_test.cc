// The schedule as data: written out, re-anchored, and carried as records.
#include "fuzzers/exec/schedule.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "fuzzers/program/program_text.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

TEST(ScheduleTest, WithScheduleKeepsExplicitAndPreemptionDecisionsOnly) {
  Program p = testing::ParseOrFail(R"(# nsfuzz program v1
protocol rcu_2007
threads 2
policy_seed 3082
T1: unshare(NEWNS)
T2: mounts_open(T1)
switch @4 -> T2
)");
  std::vector<Decision> d = {
      {{1, Site::ns_unlocked, 1}, 2, Reason::explicit_switch},
      {{2, Site::rcu_read_lock, 1}, 1, Reason::preemption},
      {{1, Site::synchronize_rcu_wait, 1}, 2, Reason::blocked},
      {{2, Site::rcu_read_unlocked, 1}, 1, Reason::finished},
      {{1, Site::ns_unlocked, 1}, 2, Reason::explicit_switch},  // repeated
  };
  Program c = with_schedule(p, d);
  EXPECT_EQ(print_program(c), R"(# nsfuzz program v2
protocol rcu_2007
threads 2
priorities 10
T1: unshare(NEWNS)
T2: mounts_open(T1)
switch T1@ns_unlocked#1 -> T2
switch T2@rcu_read_lock#1 -> T1
)");  // policy_seed 3082 = priorities 10, a change point at 12: gone
}

TEST(ScheduleTest, DropOpsReanchorsTheThreadsLaterSwitches) {
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
protocol rcu_2007
threads 2
T1: unshare(NEWNS)
T2: mounts_open(T1)
T1: unshare(NEWNS)
T1: unshare(NEWUTS)
switch T1@put_ns#3 -> T2
switch T1@put_ns#1 -> T2
switch T2@put_ns#1 -> T1
)");
  // T1's op 0 passed put_ns twice, op 2 once, op 3 once; T2's op 1 once.
  std::vector<Step> steps = {
      {{1, Site::put_ns, 1}, 0}, {{1, Site::put_ns, 2}, 0},
      {{2, Site::put_ns, 1}, 1}, {{1, Site::put_ns, 3}, 2},
      {{1, Site::put_ns, 4}, 3},
  };
  Program c = drop_ops(p, 0, 1, steps);
  ASSERT_EQ(c.ops.size(), 3u);
  ASSERT_EQ(c.switches.size(), 2u);  // #1 was inside the removed op
  EXPECT_EQ(c.switches[0].at, (Anchor{1, Site::put_ns, 1}));  // 3 - 2
  EXPECT_EQ(c.switches[1].at, (Anchor{2, Site::put_ns, 1}));  // T2's: as is
}

TEST(ScheduleTest, RecordsRoundTripThroughAPipe) {
  Schedule s;
  s.decisions = {{{1, Site::switch_put_old, 70000}, 2, Reason::preemption},
                 {{4, Site::put_ns, 0}, 3, Reason::finished}};
  s.steps = {{{2, Site::task_lock, 65535}, 47}, {{1, Site::put_ns, 1}, -1}};
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  write_step(fds[1], s.steps[0]);
  write_decision(fds[1], s.decisions[0]);
  write_step(fds[1], s.steps[1]);
  write_decision(fds[1], s.decisions[1]);
  close(fds[1]);
  std::string bytes(4096, '\0');
  ssize_t n = read(fds[0], bytes.data(), bytes.size());
  close(fds[0]);
  bytes.resize(n);
  Schedule back = read_records(bytes + "junk");  // a torn tail is skipped
  EXPECT_EQ(back.decisions, s.decisions);
  EXPECT_EQ(back.steps, s.steps);
}

TEST(ScheduleTest, PrintDecisionSaysWhy) {
  EXPECT_EQ(print_decision(
                {{1, Site::switch_put_old, 1}, 2, Reason::explicit_switch}),
            "switch to T2 (explicit, T1@switch_put_old#1)");
  EXPECT_EQ(
      print_decision({{2, Site::task_lock_contended, 1}, 1, Reason::blocked}),
      "switch to T1 (T2 blocked in task_lock_contended#1)");
  EXPECT_EQ(print_decision({{2, Site::put_ns, 4}, 1, Reason::finished}),
            "switch to T1 (T2 finished)");
}

}  // namespace
}  // namespace nsfuzz
