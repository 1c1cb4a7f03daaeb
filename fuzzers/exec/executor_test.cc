// The executor: determinism, blocking, and interleavings it must produce.
#include "fuzzers/exec/executor.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "fuzzers/program/program_text.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

Executor &Shared() {
  static Executor *e = new Executor;
  return *e;
}

// T2 reads T1's mounts while T1 unshares twice (the second unshare frees
// T1's first private nsproxy: a grace period in rcu_2007).
const char *kReaderWriter = R"(protocol rcu_2007
threads 2
privileged T1 T2
T1: unshare(NEWNS)
T2: mounts_open(T1)
T1: unshare(NEWNS|NEWUTS)
T1: mount(m1)
T2: gethostname(T1)
switch @3 -> T2
switch @6 -> T1
switch @20 -> T2
)";

TEST(ExecutorTest, SameProgramSameTrace1000Times) {
  Program p = testing::ParseOrFail(kReaderWriter);
  RunOptions traced;
  traced.trace = true;
  RunResult first = Shared().run(p, traced);
  std::string story = format_trace(first.trace);
  ASSERT_GT(first.points, 10u);
  ASSERT_GE(first.switches, 2u);
  for (int i = 0; i < 1000; ++i) {
    RunResult r = Shared().run(p, traced);
    ASSERT_EQ(format_trace(r.trace), story) << "run " << i;
    ASSERT_EQ(r.hash, first.hash);
    ASSERT_EQ(r.results, first.results);
  }
}

// A Program of four ops fills the task table and the mount table with its
// limits lowered (fork: -EAGAIN; mount: -ENOMEM), and neither without.
TEST(ExecutorTest, LoweredLimitsReachTheFailurePaths) {
  const std::string ops =
      "threads 2\n"
      "privileged T1\n"
      "T1: clone(NEWNS)\n"
      "T1: clone(0)\n"
      "T1: mount(m1)\n"
      "T1: mount(m2)\n";
  Program limited = testing::ParseOrFail(
      "# nsfuzz program v2\nlimits tasks=4 mounts=2\n" + ops);
  Program unlimited = testing::ParseOrFail("# nsfuzz program v2\n" + ops);
  RunOptions traced;
  traced.trace = true;
  RunResult r = Shared().run(limited, traced);
  std::string story = format_trace(r.trace);
  EXPECT_EQ(r.results, (std::vector<int>{3, -EAGAIN, 0, -ENOMEM})) << story;
  EXPECT_NE(story.find("T1:   = -EAGAIN"), std::string::npos) << story;
  r = Shared().run(unlimited, traced);
  EXPECT_EQ(r.results, (std::vector<int>{3, 4, 0, 0})) << format_trace(r.trace);
}

// Free-running: real concurrency, switch decisions only yield the CPU.
TEST(ExecutorTest, FreeRunningModeRunsCleanUnderRealConcurrency) {
  Program p = testing::ParseOrFail(kReaderWriter);
  RunOptions free;
  free.free_running = true;
  for (int i = 0; i < 200; ++i) {
    RunResult r = Shared().run(p, free);  // a finding would abort
    ASSERT_GT(r.points, 10u);
    ASSERT_EQ(r.results[0], 0);  // T1's unshare
    ASSERT_EQ(r.results[2], 0);  // T1's second unshare
  }
}

TEST(ExecutorTest, SwitchesOnlyWhereTheProgramSays) {
  Program p = testing::ParseOrFail(kReaderWriter);
  p.step_switches.clear();
  RunResult r = Shared().run(p);
  EXPECT_EQ(r.switches, 1u);  // T1 (or T2) runs to its end, then the other
  ASSERT_EQ(r.schedule.decisions.size(), 1u);
  EXPECT_EQ(r.schedule.decisions[0].why, Reason::finished);
  p.step_switches = {{2, 2}, {4, 1}, {7, 2}};
  RunResult r2 = Shared().run(p);
  EXPECT_GE(r2.switches, 3u);
  EXPECT_NE(r.hash, r2.hash);
}

// A v2 switch hands over at its anchor: the thread's nth pass of a site,
// whatever the other threads did before. The decision says where and why.
TEST(ExecutorTest, AnchoredSwitchHandsOverAtItsAnchor) {
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
protocol rcu_2007
threads 2
privileged T1 T2
T1: unshare(NEWNS)
T2: mounts_open(T1)
T1: unshare(NEWNS)
switch T1@switch_put_old#2 -> T2
switch T2@rcu_read_lock#1 -> T1
)");
  RunOptions o;
  o.trace = true;
  o.record_steps = true;
  RunResult r = Shared().run(p, o);
  std::string story = format_trace(r.trace);
  ASSERT_GE(r.schedule.decisions.size(), 2u) << story;
  EXPECT_EQ(
      r.schedule.decisions[0],
      (Decision{{1, Site::switch_put_old, 2}, 2, Reason::explicit_switch}))
      << story;
  EXPECT_EQ(r.schedule.decisions[1],
            (Decision{{2, Site::rcu_read_lock, 1}, 1, Reason::explicit_switch}))
      << story;
  // T1 passed switch_put_old once in its first unshare, then T2 ran first
  // at its second pass: the story says so, with the pass numbers.
  EXPECT_NE(story.find("T1:     switch_put_old#2"), std::string::npos) << story;
  EXPECT_NE(story.find("--- switch to T2 (explicit, T1@switch_put_old#2) ---"),
            std::string::npos)
      << story;
  // Steps: every point, each with the op that passed it.
  ASSERT_EQ(r.schedule.steps.size(), r.points);
  for (const Step &st : r.schedule.steps)
    EXPECT_EQ(p.ops[st.op].thread, st.at.thread);
}

// T2 is inside rcu_read_lock when T1's grace period starts: T1 must block
// in synchronize_rcu, and the executor must run T2, not T1, until T2 has
// left its read-side critical section; only then may T1 free the nsproxy.
TEST(ExecutorTest, GracePeriodBlocksUntilTheReaderLeaves) {
  // T1's first unshare takes schedule points 1-9; at 10 (its second
  // unshare's first point) T2 runs and enters rcu_read_lock (point 11),
  // then T1 runs again.
  Program p = testing::ParseOrFail(R"(protocol rcu_2007
threads 2
privileged T1 T2
T1: unshare(NEWNS)
T2: mounts_open(T1)
T1: unshare(NEWNS)
switch @10 -> T2
switch @11 -> T1
)");
  RunOptions o;
  o.trace = true;
  RunResult r = Shared().run(p, o);
  std::string story = format_trace(r.trace);
  auto find = [&](int thread, TraceEvent::Kind kind, Site site) {
    for (size_t i = 0; i < r.trace.size(); ++i)
      if (r.trace[i].thread == thread && r.trace[i].kind == kind &&
          r.trace[i].site == site)
        return static_cast<int>(i);
    return -1;
  };
  int blocked = find(1, TraceEvent::block, Site::synchronize_rcu_wait);
  int unlock = find(2, TraceEvent::point, Site::rcu_read_unlock);
  int freed = find(1, TraceEvent::point, Site::free_nsproxy);
  ASSERT_GE(blocked, 0) << story;
  EXPECT_LT(blocked, unlock) << story;
  EXPECT_LT(unlock, freed) << story;
  EXPECT_EQ(r.results, (std::vector<int>{0, 1, 0})) << story;
}

// With a held task_lock, the contender blocks and the holder runs.
TEST(ExecutorTest, ContendedTaskLockRunsTheHolder) {
  // T1 starts; at its first point T2 runs and takes task_lock(T1) to read
  // its mounts (task_lock_2014, point 2); holding it (point 3) T2 hands
  // over to T1, whose switch_task_namespaces needs the same lock.
  Program p = testing::ParseOrFail(R"(protocol task_lock_2014
threads 2
privileged T1 T2
T2: mounts_open(T1)
T1: unshare(NEWUTS)
switch @1 -> T2
switch @3 -> T1
)");
  RunOptions o;
  o.trace = true;
  RunResult r = Shared().run(p, o);
  std::string story = format_trace(r.trace);
  bool t1_blocked = false;
  for (const TraceEvent &e : r.trace)
    t1_blocked |= e.thread == 1 && e.kind == TraceEvent::block &&
                  e.site == Site::task_lock_contended;
  EXPECT_TRUE(t1_blocked) << story;
  EXPECT_EQ(r.results, (std::vector<int>{1, 0})) << story;
  // T2 read T1's nsproxy before T1 replaced it: init's mnt_namespace#3.
  EXPECT_NE(story.find("T2:     reader_got_ns#1 mnt_namespace#3"),
            std::string::npos)
      << story;
}

TEST(Dependent, SharedObjectsOrUnknownPositions) {
  int a, b, c, d;
  auto at = [](const void *obj, const void *prev) {
    ThreadView v;
    v.started = true, v.obj = obj, v.prev_obj = prev;
    return v;
  };
  EXPECT_FALSE(dependent(at(&a, &b), at(&c, &d)));
  EXPECT_TRUE(dependent(at(&a, &b), at(&c, &a)));  // prev meets obj
  EXPECT_TRUE(dependent(at(&a, &b), at(&b, &d)));
  EXPECT_TRUE(dependent(at(&a, &b), at(&c, nullptr)));  // RCU state: all
  EXPECT_TRUE(dependent(at(&a, &b), ThreadView{}));     // not started
}

// How often a policy's preemptions fall where no other unfinished thread
// depends on the running one, positions rebuilt from the run's story.
struct PreemptionsSeen {
  int total = 0, independent = 0;
};
PreemptionsSeen preemptions(const Program &p, const RunResult &r) {
  PreemptionsSeen seen;
  ThreadView v[kMaxThreads + 1];
  int ops_left[kMaxThreads + 1] = {};
  for (const Op &op : p.ops) ++ops_left[op.thread];
  for (const TraceEvent &e : r.trace) {
    if (e.kind == TraceEvent::op_end) --ops_left[e.thread];
    if (e.kind == TraceEvent::point || e.kind == TraceEvent::block) {
      ThreadView &t = v[e.thread];
      t.prev_obj = t.obj, t.started = true;
      t.obj = reinterpret_cast<const void *>(e.addr);
    }
    if (e.kind != TraceEvent::switch_to || e.decision.why != Reason::preemption)
      continue;
    ++seen.total;
    const int t = e.decision.at.thread;
    bool dep = false;
    for (int u = 1; u <= p.threads; ++u)
      dep |= u != t && ops_left[u] > 0 && dependent(v[u], v[t]);
    seen.independent += !dep;
  }
  return seen;
}

// With `conflicts`, change points count only the points where another
// runnable thread depends on the running one; counted over all points,
// they also fall where none does.
TEST(ExecutorTest, ConflictChangePointsFallOnConflictingPoints) {
  PreemptionsSeen conflicts, points;
  RunOptions traced;
  traced.trace = true;
  int i = 0;
  for (Program p : testing::RandomPrograms(300, 21, 40, 40, 1)) {
    p.switches.clear();
    p.step_switches.clear();
    p.format = kFormatV2;
    p.policy = Policy{};
    p.policy.priorities = static_cast<uint8_t>(i);
    p.policy.preempt[0] = 1 + i % 12;
    p.policy.preempt[1] = 3 + i % 12;
    ++i;
    p.policy.conflicts = false;
    PreemptionsSeen a = preemptions(p, Shared().run(p, traced));
    points.total += a.total, points.independent += a.independent;
    p.policy.conflicts = true;
    PreemptionsSeen b = preemptions(p, Shared().run(p, traced));
    conflicts.total += b.total, conflicts.independent += b.independent;
  }
  EXPECT_GT(conflicts.total, 50);
  EXPECT_EQ(conflicts.independent, 0);
  EXPECT_GT(points.independent, 0);  // the check can tell them apart
}

}  // namespace
}  // namespace nsfuzz
