#include "fuzzers/verify/sweep.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "fuzzers/program/program_text.h"

namespace nsfuzz {
namespace {

SweepResult run(const SweepOptions &o) {
  return sweep(o, [](const SweepProgress &) {});
}

TEST(SweepTest, CorrectProtocolsVerifyClean) {
  for (int p = 0; p < kNumProtocols; ++p) {
    SweepOptions o;
    o.scope = {.protocol = static_cast<Protocol>(p), .threads = 2, .ops = 1};
    o.bug = Bug::none;
    SweepResult r = run(o);
    EXPECT_EQ(r.error, "");
    EXPECT_FALSE(r.finding);
    EXPECT_EQ(r.done, r.size.representatives);
    EXPECT_EQ(r.total, r.size.representatives);
    EXPECT_EQ(r.incomplete, 0u);
    EXPECT_GT(r.schedules, r.done);
  }
}

// The first finding in the scope's order, whatever the jobs: the same
// Program, after the same Programs and schedules.
TEST(SweepTest, FirstFindingIsTheSmallestAndTheSameForAnyJobs) {
  SweepOptions o;
  o.scope = {.protocol = Protocol::rcu_2007, .threads = 2, .ops = 2};
  o.bug = Bug::synchronize_rcu_in_reader;
  SweepResult one = run(o);
  o.jobs = 3;
  SweepResult three = run(o);
  for (const SweepResult *r : {&one, &three}) {
    ASSERT_EQ(r->error, "");
    ASSERT_TRUE(r->finding);
    EXPECT_EQ(r->explored.signature.rfind("nsfuzz:", 0), 0u)
        << r->explored.signature;
    EXPECT_TRUE(r->explored.replayed);
    EXPECT_EQ(r->done, r->finding_index);  // those before it, no more
    EXPECT_EQ(r->finding_program.ops.size(), 2u)
        << print_program(r->finding_program);
  }
  EXPECT_EQ(one.finding_index, three.finding_index);
  EXPECT_EQ(one.schedules, three.schedules);
  EXPECT_EQ(one.explored.signature, three.explored.signature);
  EXPECT_EQ(one.finding_program, three.finding_program);
}

TEST(SweepTest, ABugPastTheScopeIsNotFound) {
  SweepOptions o;
  o.scope = {.protocol = Protocol::rcu_2007, .threads = 2, .ops = 1};
  o.bug = Bug::synchronize_rcu_in_reader;  // needs two operations
  SweepResult r = run(o);
  EXPECT_EQ(r.error, "");
  EXPECT_FALSE(r.finding);
}

TEST(SweepTest, ShardsCoverTheScopeOnce) {
  SweepOptions o;
  o.scope = {.protocol = Protocol::task_lock_2014, .threads = 2, .ops = 1};
  o.bug = Bug::none;
  SweepResult all = run(o);
  uint64_t done = 0, schedules = 0;
  for (int i = 0; i < 3; ++i) {
    o.shard = i, o.shards = 3;
    SweepResult r = run(o);
    EXPECT_EQ(r.done, r.total);
    done += r.done, schedules += r.schedules;
  }
  EXPECT_EQ(done, all.done);
  EXPECT_EQ(schedules, all.schedules);
}

// Interrupted, it keeps a checkpoint; the same sweep goes on from it and
// ends with the figures of one that never stopped.
TEST(SweepTest, ResumesAfterAnInterrupt) {
  std::string state = ::testing::TempDir() + "/sweep-state.json";
  std::remove(state.c_str());
  SweepOptions o;
  o.scope = {.protocol = Protocol::rcu_2007, .threads = 2, .ops = 2};
  o.bug = Bug::none;
  o.jobs = 2;
  SweepResult whole = run(o);
  o.state = state;
  SweepResult cut = sweep(o, [&](const SweepProgress &p) {
    if (p.done == p.total / 2) raise(SIGINT);  // half way
  });
  ASSERT_EQ(cut.error, "");
  ASSERT_TRUE(cut.interrupted);
  ASSERT_LT(cut.done, cut.total);
  EXPECT_EQ(access(state.c_str(), F_OK), 0);
  SweepResult rest = run(o);
  EXPECT_EQ(rest.error, "");
  EXPECT_GT(rest.resumed, 0u);
  EXPECT_EQ(rest.done, whole.done);
  EXPECT_EQ(rest.schedules, whole.schedules);
  EXPECT_NE(access(state.c_str(), F_OK), 0);  // removed at the end

  // A checkpoint of another sweep is refused, and kept.
  { std::ofstream(state) << R"({"sweep": {"ops": 9}, "below": 3})"; }
  SweepResult other = run(o);
  EXPECT_NE(other.error.find("another sweep"), std::string::npos)
      << other.error;
  EXPECT_EQ(access(state.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace nsfuzz
