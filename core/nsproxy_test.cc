// Single-threaded semantics of every operation under every protocol.
#include "core/nsproxy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rcu.h"
#include "core/testing/protocols.h"
#include "core/testing/world_fixture.h"
#include "core/uapi.h"
#include "core/world.h"

namespace nsfuzz {
namespace {

using testing::AsTask;
using testing::FindingRecorder;

class NsproxyTest : public ::testing::TestWithParam<Protocol> {
 protected:
  static void SetUpTestSuite() { rcu_register_thread(); }
  WorldOptions Options(uint32_t fail_alloc = 0, Limits limits = {}) {
    WorldOptions o;
    o.protocol = GetParam();
    o.fail_alloc = fail_alloc;
    o.limits = limits;
    return o;
  }
  FindingRecorder findings_;
};

int Count(const nsproxy *ns) {
  return ns->count.load();
}

TEST_P(NsproxyTest, SpawnedTasksShareInitNsproxy) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true), *t2 = w.spawn_task(false);
  EXPECT_EQ(t1->nsproxy, w.init_task()->nsproxy);
  EXPECT_EQ(t2->nsproxy, w.init_task()->nsproxy);
  EXPECT_EQ(Count(t1->nsproxy), 3);
  EXPECT_EQ(t1->pid, 1);
  EXPECT_EQ(t2->pid, 2);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

// Past the task table, spawn_task refuses the task and drops the
// reference it took for it.
TEST_P(NsproxyTest, SpawnPastTheTaskTableIsRefused) {
  World w(Options());
  for (int pid = 1; pid < kMaxTasks; ++pid)
    ASSERT_NE(w.spawn_task(pid % 2), nullptr);
  EXPECT_EQ(w.spawn_task(true), nullptr);
  EXPECT_EQ(w.nr_tasks(), kMaxTasks);
  EXPECT_EQ(Count(w.init_task()->nsproxy), kMaxTasks);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, UnshareCopiesOnlyTheFlaggedNamespaces) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true);
  nsproxy *init_ns = w.init_task()->nsproxy;
  AsTask as(t1);
  ASSERT_EQ(sys_unshare(CLONE_NEWNS | CLONE_NEWNET), 0);
  nsproxy *mine = t1->nsproxy;
  ASSERT_NE(mine, init_ns);
  EXPECT_EQ(Count(mine), 1);
  EXPECT_EQ(Count(init_ns), 1);  // init's own reference only
  EXPECT_NE(mine->mnt_ns, init_ns->mnt_ns);
  EXPECT_NE(mine->net_ns, init_ns->net_ns);
  EXPECT_EQ(mine->uts_ns, init_ns->uts_ns);
  EXPECT_EQ(mine->ipc_ns, init_ns->ipc_ns);
  EXPECT_EQ(mine->pid_ns, init_ns->pid_ns);
  EXPECT_EQ(init_ns->uts_ns->count.load(), 2);
  // The copied mount table has init's rootfs, then diverges.
  std::vector<std::string> mounts;
  EXPECT_EQ(mounts_open(1, &mounts), 1);
  EXPECT_EQ(mounts, std::vector<std::string>{"rootfs"});
  EXPECT_EQ(sys_mount("proc"), 0);
  EXPECT_EQ(mounts_open(1, &mounts), 2);
  EXPECT_EQ(mounts_open(0, &mounts), 1);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, UnshareErrors) {
  World w(Options());
  task_struct *priv = w.spawn_task(true), *user = w.spawn_task(false);
  {
    AsTask as(user);
    EXPECT_EQ(sys_unshare(CLONE_NEWUTS), -EPERM);
    EXPECT_EQ(sys_unshare(0), 0);
    EXPECT_EQ(user->nsproxy, w.init_task()->nsproxy);
  }
  {
    AsTask as(priv);
    EXPECT_EQ(sys_unshare(CLONE_NEWPID), -EINVAL);
    EXPECT_EQ(sys_unshare(0x1), -EINVAL);
    EXPECT_EQ(priv->nsproxy, w.init_task()->nsproxy);
  }
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, CloneSharesWithoutFlagsAndCopiesWithThem) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true);
  AsTask as(t1);
  int shared = sys_clone(0);
  ASSERT_EQ(shared, 2);
  EXPECT_EQ(w.find_task(shared)->nsproxy, t1->nsproxy);
  int own = sys_clone(CLONE_NEWUTS | CLONE_NEWPID);
  ASSERT_EQ(own, 3);
  nsproxy *child = w.find_task(own)->nsproxy;
  EXPECT_NE(child, t1->nsproxy);
  EXPECT_EQ(child->pid_ns->level, 1);
  EXPECT_EQ(child->pid_ns->parent, t1->nsproxy->pid_ns);
  EXPECT_EQ(child->mnt_ns, t1->nsproxy->mnt_ns);
  EXPECT_EQ(sys_clone(0x1), -EINVAL);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, UnprivilegedCloneWithFlagsIsEpermAndAddsNoTask) {
  World w(Options());
  task_struct *t1 = w.spawn_task(false);
  AsTask as(t1);
  EXPECT_EQ(sys_clone(CLONE_NEWNS), -EPERM);
  EXPECT_EQ(w.nr_tasks(), 2);
  EXPECT_EQ(Count(t1->nsproxy), 2);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, ExitLeavesNullNsproxyAndReadersSeeAlmostDead) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true), *t2 = w.spawn_task(true);
  {
    AsTask as(t1);
    ASSERT_EQ(sys_unshare(CLONE_NEWNS), 0);
    EXPECT_EQ(do_exit_namespaces(), 0);
    EXPECT_EQ(t1->nsproxy, nullptr);
    EXPECT_EQ(do_exit_namespaces(), -ESRCH);
    EXPECT_EQ(sys_unshare(CLONE_NEWUTS), -ESRCH);
    EXPECT_EQ(sys_mount("x"), -ESRCH);
  }
  AsTask as(t2);
  std::vector<std::string> mounts;
  std::string host;
  EXPECT_EQ(mounts_open(1, &mounts), -EINVAL);
  EXPECT_EQ(mountstats_open(1, &mounts), -EINVAL);
  EXPECT_EQ(gethostname_of(1, &host), -EINVAL);
  EXPECT_EQ(sys_setns(1), -EINVAL);
  EXPECT_EQ(mounts_open(9, &mounts), -ESRCH);
  EXPECT_EQ(sys_setns(9), -ESRCH);
  // T1's private nsproxy and its mnt_ns are gone already.
  EXPECT_EQ(w.counts().live(ObjKind::nsproxy), 1);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, HostnameIsSharedUntilUnshareNewuts) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true), *t2 = w.spawn_task(true);
  std::string host;
  {
    AsTask as(t1);
    ASSERT_EQ(sys_sethostname("alpha"), 0);
    ASSERT_EQ(sys_unshare(CLONE_NEWUTS), 0);
    EXPECT_EQ(gethostname_of(1, &host), 0);
    EXPECT_EQ(host, "alpha");  // copied
    ASSERT_EQ(sys_sethostname("beta"), 0);
    EXPECT_EQ(sys_sethostname(std::string(65, 'x')), -EINVAL);
  }
  AsTask as(t2);
  EXPECT_EQ(gethostname_of(2, &host), 0);
  EXPECT_EQ(host, "alpha");
  EXPECT_EQ(gethostname_of(1, &host), 0);
  EXPECT_EQ(host, "beta");
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, MountAndUmount) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true), *user = w.spawn_task(false);
  std::vector<std::string> mounts;
  {
    AsTask as(t1);
    ASSERT_EQ(sys_unshare(CLONE_NEWNS), 0);
    EXPECT_EQ(sys_mount("m1"), 0);
    EXPECT_EQ(sys_mount("m2"), 0);
    EXPECT_EQ(sys_umount("m1"), 0);
    EXPECT_EQ(sys_umount("m1"), -EINVAL);
    EXPECT_EQ(mountstats_open(1, &mounts), 2);
    EXPECT_EQ(mounts[0], "device m2 mounted with fstype model");
    for (int i = 2; i < kMaxMountsPerNs; ++i)
      ASSERT_EQ(sys_mount("f" + std::to_string(i)), 0);
    EXPECT_EQ(sys_mount("full"), -ENOMEM);
  }
  AsTask as(user);
  EXPECT_EQ(sys_mount("m3"), -EPERM);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

// Fork past the task table: -EAGAIN, no task added, the child's new
// nsproxy unwound. At the full capacity, and at a lowered limit.
TEST_P(NsproxyTest, ClonePastTheTaskLimitIsEagain) {
  for (int limit : {kMaxTasks, 3}) {
    World w(Options(0, {.tasks = limit}));
    task_struct *t1 = w.spawn_task(true);
    AsTask as(t1);
    for (int pid = 2; pid < limit; ++pid)
      ASSERT_EQ(sys_clone(pid % 2 ? CLONE_NEWNS : 0), pid) << limit;
    EXPECT_EQ(sys_clone(0), -EAGAIN) << limit;
    EXPECT_EQ(sys_clone(CLONE_NEWNS | CLONE_NEWUTS), -EAGAIN) << limit;
    EXPECT_EQ(w.nr_tasks(), limit);
    EXPECT_EQ(w.spawn_task(true), nullptr);
    EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
  }
}

// A mount past the namespace's table: -ENOMEM, at every namespace (a
// copy brings its mounts along). rootfs is one of them.
TEST_P(NsproxyTest, MountPastTheMountLimitIsEnomem) {
  World w(Options(0, {.mounts = 2}));
  EXPECT_EQ(w.limits(), (Limits{.tasks = kMaxTasks, .mounts = 2}));
  task_struct *t1 = w.spawn_task(true);
  AsTask as(t1);
  EXPECT_EQ(sys_mount("m1"), 0);
  EXPECT_EQ(sys_mount("m2"), -ENOMEM);
  ASSERT_EQ(sys_unshare(CLONE_NEWNS), 0);
  EXPECT_EQ(sys_mount("m2"), -ENOMEM);
  EXPECT_EQ(sys_umount("m1"), 0);
  EXPECT_EQ(sys_mount("m2"), 0);
  EXPECT_EQ(sys_mount("m3"), -ENOMEM);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

// Limits outside 1..capacity are clamped: the tables stay in bounds.
TEST_P(NsproxyTest, LimitsAreClampedToTheCapacities) {
  World low(Options(0, {.tasks = 0, .mounts = -3}));
  EXPECT_EQ(low.limits(), (Limits{.tasks = 1, .mounts = 1}));
  EXPECT_EQ(low.spawn_task(true), nullptr);
  EXPECT_TRUE(low.teardown()) << FindingRecorder::Summary();
  World high(Options(0, {.tasks = kMaxTasks + 1, .mounts = 99}));
  EXPECT_EQ(high.limits(), Limits{});
  EXPECT_TRUE(high.teardown()) << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, SetnsEntersAnotherTasksNsproxy) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true), *t2 = w.spawn_task(true);
  {
    AsTask as(t1);
    ASSERT_EQ(sys_unshare(CLONE_NEWNS | CLONE_NEWUTS), 0);
  }
  AsTask as(t2);
  ASSERT_EQ(sys_setns(1), 0);
  EXPECT_EQ(t2->nsproxy, t1->nsproxy);
  EXPECT_EQ(Count(t1->nsproxy), 2);
  EXPECT_EQ(Count(w.init_task()->nsproxy), 1);
  EXPECT_EQ(sys_setns(2), 0);  // itself: nothing changes
  EXPECT_EQ(Count(t1->nsproxy), 2);
  ASSERT_EQ(daemonize(), 0);
  EXPECT_EQ(t2->nsproxy, w.init_task()->nsproxy);
  EXPECT_EQ(Count(t1->nsproxy), 1);
  task_struct *user = w.spawn_task(false);
  AsTask as_user(user);
  EXPECT_EQ(sys_setns(1), -EPERM);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

// Every allocation of a clone/unshare with every flag fails in turn: each
// returns -ENOMEM, leaves the task as it was, and leaks nothing.
TEST_P(NsproxyTest, UnwindsEveryInjectedAllocationFailure) {
  for (bool use_clone : {false, true}) {
    int failures = 0;
    for (uint32_t n = 1;; ++n) {
      World w(Options(n));
      task_struct *t1 = w.spawn_task(true);
      AsTask as(t1);
      uint32_t flags =
          use_clone
              ? kCloneNewAll
              : (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET);
      nsproxy *before = t1->nsproxy;
      int ret = use_clone ? sys_clone(flags) : sys_unshare(flags);
      ASSERT_TRUE(w.teardown())
          << "n=" << n << ": " << FindingRecorder::Summary();
      if (ret >= 0) {
        EXPECT_GT(n, w.allocations()) << "the failure was not reached";
        break;
      }
      EXPECT_EQ(ret, -ENOMEM) << "n=" << n;
      EXPECT_EQ(t1->nsproxy, nullptr);  // teardown exited it from `before`
      (void)before;
      ++failures;
      ASSERT_LT(n, 100u);
    }
    // nsproxy, mnt_ns, its rootfs mount, uts, ipc, [pid,] net.
    EXPECT_EQ(failures, use_clone ? 7 : 6);
  }
  EXPECT_TRUE(FindingRecorder::Findings().empty())
      << FindingRecorder::Summary();
}

TEST_P(NsproxyTest, TeardownReportsALeak) {
  World w(Options());
  task_struct *t1 = w.spawn_task(true);
  get_nsproxy(t1->nsproxy);  // a reference nobody puts
  EXPECT_FALSE(w.teardown());
  auto f = FindingRecorder::Findings();
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].kind, FindingKind::leak);
  EXPECT_EQ(f[0].object, "nsproxy");
  // Release it so that the process itself does not leak.
  nsproxy *ns = w.init_task()->nsproxy;
  (void)ns;
}

TEST_P(NsproxyTest, PutOnZeroIsARefcountUnderflow) {
  World w(Options());
  auto *ns = w.alloc<uts_namespace>(&w);
  ns->count.store(0);
  put_uts_ns(ns);
  auto f = FindingRecorder::Findings();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::refcount_underflow);
  EXPECT_EQ(f[0].where, "put_uts_ns");
  ns->count.store(1);
  put_uts_ns(ns);
  EXPECT_TRUE(w.teardown()) << FindingRecorder::Summary();
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, NsproxyTest, testing::AllProtocols(),
                         testing::ProtocolName());

}  // namespace
}  // namespace nsfuzz
