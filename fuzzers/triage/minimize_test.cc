// The minimizer with a schedule search (minimize.h): operations that only
// carried the recorded schedule go, the fewest-switch schedule wins, and a
// flag goes together with the allocation that fails.
#include "fuzzers/triage/minimize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>

#include "fuzzers/program/program_text.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

bool has(const Program &p, OpKind kind, int thread) {
  return std::any_of(p.ops.begin(), p.ops.end(), [&](const Op &op) {
    return op.kind == kind && op.thread == thread;
  });
}

// The finding needs T1's unshare and T2's reader, and a switch whose anchor
// depends on how many ops T1 has: dropping any op of T1 moves it, as
// dropping an op moves the points of a real run.
bool needed_ops(const Program &p) {
  return has(p, OpKind::unshare, 1) && has(p, OpKind::mounts_open, 2);
}
Switch the_switch(const Program &p) {
  uint32_t t1_ops = std::count_if(p.ops.begin(), p.ops.end(),
                                  [](const Op &op) { return op.thread == 1; });
  return {{1, Site::switch_put_old, t1_ops}, 2};
}
bool fails(const Program &p) {
  return needed_ops(p) && std::find(p.switches.begin(), p.switches.end(),
                                    the_switch(p)) != p.switches.end();
}
std::optional<Program> search(const Program &p) {
  if (!needed_ops(p)) return std::nullopt;
  Program q = p;
  q.switches = {the_switch(p)};
  return q;
}

const char *kCarrier = R"(# nsfuzz program v2
threads 2
T1: gethostname(T1)
T1: unshare(NEWNS)
T2: mounts_open(T1)
switch T1@switch_put_old#2 -> T2
)";

TEST(MinimizeTest, AnOpThatOnlyCarriedTheScheduleGoes) {
  Program p = testing::ParseOrFail(kCarrier);
  ASSERT_TRUE(fails(p));
  Program kept = minimize(p, fails);
  EXPECT_EQ(kept.ops.size(), 3u) << print_program(kept);  // no search
  MinimizeStats stats;
  Program small = minimize(p, fails, &stats, nullptr, search);
  EXPECT_EQ(small.ops.size(), 2u) << print_program(small);
  EXPECT_TRUE(fails(small));
  EXPECT_GT(stats.searches, 0u);
}

TEST(MinimizeTest, TheFewestSwitchScheduleWins) {
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
threads 2
T1: unshare(NEWNS)
T2: mounts_open(T1)
switch T1@switch_put_old#1 -> T2
switch T2@rcu_dereference#1 -> T1
switch T1@put_ns#1 -> T2
)");
  // Fails with all three switches (none can go alone); the search knows a
  // schedule of one.
  auto three = [](const Program &q) {
    return needed_ops(q) &&
           (q.switches.size() == 3 ||
            (q.switches.size() == 1 && q.switches[0] == the_switch(q)));
  };
  Program kept = minimize(p, three);
  EXPECT_EQ(kept.switches.size(), 3u);
  Program small = minimize(p, three, nullptr, nullptr, search);
  EXPECT_EQ(small.switches.size(), 1u) << print_program(small);
}

TEST(MinimizeTest, AFlagGoesWithTheAllocationThatFails) {
  // The Nth allocation fails where N is one more than the clone's flags.
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
threads 2
fail_alloc 4
T1: clone(NEWNS|NEWUTS|NEWIPC)
)");
  auto fails_alloc = [](const Program &q) {
    return q.ops.size() == 1 && q.ops[0].arg &&
           q.fail_alloc ==
               static_cast<uint32_t>(std::popcount(q.ops[0].arg)) + 1;
  };
  ASSERT_TRUE(fails_alloc(p));
  Program small = minimize(p, fails_alloc);
  EXPECT_EQ(std::popcount(small.ops[0].arg), 1) << print_program(small);
  EXPECT_EQ(small.fail_alloc, 2u);
}

// A lowered limit the finding does not need goes back to its default; one
// it needs stays.
TEST(MinimizeTest, OnlyTheLimitsTheFindingNeedsStay) {
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
threads 2
limits tasks=4 mounts=2
T1: clone(0)
T1: mount(m1)
T2: mount(m2)
)");
  auto mount_fails = [](const Program &q) {
    return q.limits.mounts <= 2 &&
           std::count_if(q.ops.begin(), q.ops.end(), [](const Op &op) {
             return op.kind == OpKind::mount;
           }) == 2;
  };
  ASSERT_TRUE(mount_fails(p));
  Program small = minimize(p, mount_fails);
  EXPECT_EQ(small.limits, (Limits{.tasks = kMaxTasks, .mounts = 2}))
      << print_program(small);
  EXPECT_EQ(small.ops.size(), 2u) << print_program(small);
}

// A budget stops the minimizer where it is: the result is the smallest
// Program kept so far, which still fails, and says it was cut short; the
// same minimization with budget to spare goes on to the 1-minimal one.
TEST(MinimizeTest, ABudgetStopsItWithTheSmallestProgramSoFar) {
  Program p = testing::RandomPrograms(1, 3, 4, 4, 1)[0];
  p.threads = 3;
  p.ops.clear();
  for (int i = 0; i < 12; ++i)
    p.ops.push_back({1 + i % 3, OpKind::gethostname, 1});
  p.ops.push_back({1, OpKind::unshare, 1});
  p.ops.push_back({2, OpKind::mounts_open, 1});
  auto still = [](const Program &c) { return needed_ops(c); };
  MinimizeStats whole;
  Program done = minimize(p, still, &whole);
  EXPECT_FALSE(whole.cut_short);
  EXPECT_EQ(done.ops.size(), 2u) << print_program(done);
  for (uint64_t budget : {uint64_t{0}, uint64_t{1}, uint64_t{3}}) {
    MinimizeStats stats;
    Program cut = minimize(p, still, &stats, nullptr, nullptr,
                           [&] { return stats.tries >= budget; });
    EXPECT_TRUE(stats.cut_short) << budget;
    EXPECT_EQ(stats.tries, budget);
    EXPECT_TRUE(still(cut)) << print_program(cut);
    EXPECT_GT(cut.ops.size(), done.ops.size()) << budget;
    EXPECT_LE(cut.ops.size(), p.ops.size());
  }
}

}  // namespace
}  // namespace nsfuzz
