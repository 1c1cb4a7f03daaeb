// Each injected bug is really wrong. The bugs that are wrong in every
// interleaving are shown here, single-threaded; those that need a specific
// interleaving (free_without_grace_period, reader_without_rcu_lock,
// get_after_rcu_unlock, setns_plain_get, setns_no_ref_across_switch,
// plain_nsproxy_access, reader_without_task_lock) are found by the
// deterministic executor's tests in fuzzers/ (executor_bugs_test), and the
// normal builds' stress test shows that the catalog is really compiled out.
#include "core/bugs.h"

#include <gtest/gtest.h>

#include <string>

#include "core/nsproxy.h"
#include "core/rcu.h"
#include "core/testing/world_fixture.h"
#include "core/uapi.h"
#include "core/world.h"

namespace nsfuzz {
namespace {

using testing::AsTask;

static_assert(kBugCatalogCompiled, "this test needs //core:core_bug_catalog");

WorldOptions With(Protocol p, Bug b, uint32_t fail_alloc = 0) {
  WorldOptions o;
  o.protocol = p;
  o.bug = b;
  o.fail_alloc = fail_alloc;
  return o;
}

class BugsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(BugsTest, CatalogHasDocumentedEntries) {
  EXPECT_GE(kNumBugs, 8);
  for (int i = 1; i <= kNumBugs; ++i) {
    Bug b = static_cast<Bug>(i);
    EXPECT_EQ(parse_bug(bug_name(b)), b);
    EXPECT_GT(bug_info(b).rule.size(), 20u) << bug_name(b);
    EXPECT_TRUE(bug_info(b).protocol == "all" ||
                parse_protocol(bug_info(b).protocol).has_value());
    EXPECT_TRUE(bug_info(b).sanitizer == "asan" ||
                bug_info(b).sanitizer == "tsan")
        << bug_name(b);
  }
  EXPECT_EQ(parse_bug("no_such_bug"), std::nullopt);
}

// Run in a death test's child: the default handler (or ASan) aborts.
void exit_twice_shared(Protocol p) {
  rcu_register_thread();
  World w(With(p, Bug::double_put_on_exit));
  task_struct *t1 = w.spawn_task(true);
  w.spawn_task(true);
  {
    AsTask as(t1);
    do_exit_namespaces();
  }
  w.teardown();
}

TEST_F(BugsTest, DoublePutOnExitIsCaughtInEveryProtocol) {
  for (Protocol p : kAllProtocols) {
    EXPECT_DEATH(exit_twice_shared(p),
                 "use-after-free|refcount-underflow|double-free")
        << protocol_name(p);
  }
}

void fail_uts_copy(Protocol p) {
  rcu_register_thread();
  // Allocations of unshare(NEWNS|NEWUTS): nsproxy, mnt_ns, rootfs mount,
  // then uts: the 4th fails, after the mnt_ns copy was built.
  World w(With(p, Bug::leak_on_error_path, 4));
  task_struct *t1 = w.spawn_task(true);
  {
    AsTask as(t1);
    if (sys_unshare(CLONE_NEWNS | CLONE_NEWUTS) != -ENOMEM) return;
  }
  w.teardown();
}

TEST_F(BugsTest, LeakOnErrorPathIsCaughtByTeardown) {
  for (Protocol p : kAllProtocols)
    EXPECT_DEATH(fail_uts_copy(p), "leak on mnt_namespace in teardown");
}

TEST_F(BugsTest, WithoutTheBugTheSameRunsAreClean) {
  testing::FindingRecorder findings;
  for (Protocol p : kAllProtocols) {
    World w(With(p, Bug::none, 4));
    task_struct *t1 = w.spawn_task(true);
    w.spawn_task(true);
    {
      AsTask as(t1);
      EXPECT_EQ(sys_unshare(CLONE_NEWNS | CLONE_NEWUTS), -ENOMEM);
      EXPECT_EQ(sys_unshare(CLONE_NEWNS), 0);
      EXPECT_EQ(sys_unshare(CLONE_NEWNS), 0);
      EXPECT_EQ(sys_setns(0), 0);
      do_exit_namespaces();
    }
    EXPECT_TRUE(w.teardown()) << testing::FindingRecorder::Summary();
  }
}

void unshare_twice(Bug b) {
  rcu_register_thread();
  World w(With(Protocol::rcu_2007, b));
  task_struct *t1 = w.spawn_task(true);
  AsTask as(t1);
  sys_unshare(CLONE_NEWNS);
  sys_unshare(CLONE_NEWNS);  // frees the first private nsproxy
}

TEST_F(BugsTest, SynchronizeRcuUnderTaskLockSleepsInAtomic) {
  EXPECT_DEATH(unshare_twice(Bug::synchronize_rcu_under_task_lock),
               "sleep-in-atomic on rcu in synchronize_rcu");
}

void setns_from_private(Bug b) {
  rcu_register_thread();
  World w(With(Protocol::rcu_2007, b));
  task_struct *t1 = w.spawn_task(true);
  AsTask as(t1);
  sys_unshare(CLONE_NEWNS);
  sys_setns(0);  // drops the private nsproxy: a grace period
}

TEST_F(BugsTest, SynchronizeRcuInReaderDeadlocks) {
  EXPECT_DEATH(setns_from_private(Bug::synchronize_rcu_in_reader),
               "deadlock on rcu in synchronize_rcu");
}

}  // namespace
}  // namespace nsfuzz
