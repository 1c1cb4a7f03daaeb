#include "fuzzers/verify/scope.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "fuzzers/exec/executor.h"
#include "fuzzers/explore/explore.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/program/validate.h"

namespace nsfuzz {
namespace {

TEST(ScopeTest, CountsByHand) {
  // No operation: the 4 privileged sets of 2 threads are one Program.
  ScopeSize z = scope_size({.threads = 2, .ops = 0});
  EXPECT_EQ(z.programs, 4u);
  EXPECT_EQ(z.representatives, 1u);
  // One: 26 letters (2 NONE, 2 clone + 3 unshare, 4 TASK ops x T0..T3,
  // 3 NAME ops x one name) on either thread, 4 privileged sets: 208. Up to
  // renaming the threads, 26; the 11 that ask capable() come privileged or
  // not: 37.
  EXPECT_EQ(alphabet(2, 1).size(), 26u);
  z = scope_size({.threads = 2, .ops = 1});
  EXPECT_EQ(z.programs, 4u + 208u);
  EXPECT_EQ(z.representatives, 1u + 37u);
  // Every fail_alloc multiplies both.
  ScopeSize f = scope_size({.threads = 2, .ops = 1, .faults = 2});
  EXPECT_EQ(f.programs, 3 * z.programs);
  EXPECT_EQ(f.representatives, 3 * z.representatives);
}

// p with its threads renamed by perm, its names shifted and the privileged
// bits of threads that never ask capable() flipped: the same Program.
Program disguised(const Program &p, const std::vector<int> &perm) {
  Program q = p;
  for (Op &o : q.ops) {
    o.thread = perm[o.thread];
    if (arg_kind(o.kind) == ArgKind::TASK && o.arg >= 1 &&
        o.arg <= static_cast<uint32_t>(p.threads))
      o.arg = static_cast<uint32_t>(perm[o.arg]);
    if (arg_kind(o.kind) == ArgKind::NAME) o.arg = (o.arg + 5) % 16;
  }
  q.privileged = 0;
  for (int t = 1; t <= p.threads; ++t) {
    bool asks = false;
    for (const Op &o : p.ops) asks |= o.thread == t && asks_capable(o);
    bool priv = p.privileged >> t & 1;
    if (priv != !asks) q.privileged |= 1u << perm[t];  // flipped if !asks
  }
  return q;
}

TEST(ScopeTest, OneRepresentativePerClass) {
  Scope s{.threads = 3, .ops = 2};
  std::set<std::vector<uint32_t>> classes;
  uint64_t reps = 0, n = 0;
  std::vector<int> perm = {0, 3, 1, 2};
  for_each_program(s, [&](const Program &p, bool rep) {
    ++n;
    EXPECT_TRUE(is_valid(p)) << print_program(p);
    Program r = representative(p);
    EXPECT_EQ(representative(r), r);
    EXPECT_EQ(rep, r == p) << print_program(p);
    if (p.threads == 3) {
      EXPECT_EQ(representative(disguised(p, perm)), r)
          << print_program(p) << print_program(disguised(p, perm))
          << print_program(representative(disguised(p, perm)))
          << print_program(r);
    }
    reps += rep;
    std::vector<uint32_t> k = {static_cast<uint32_t>(r.threads), r.privileged};
    for (const Op &o : r.ops)
      k.insert(k.end(), {static_cast<uint32_t>(o.thread),
                         static_cast<uint32_t>(o.kind), o.arg});
    classes.insert(k);
    return true;
  });
  EXPECT_EQ(classes.size(), reps);
  EXPECT_EQ(scope_size(s).programs, n);
  EXPECT_LT(reps * 4, n);
}

// Lowered limits go into every Program, tasks raised to make room for
// init and the threads; the enumeration is the same.
TEST(ScopeTest, LimitsGoIntoEveryProgram) {
  Scope s{.threads = 3, .ops = 1, .limits = {.tasks = 3, .mounts = 2}};
  for_each_program(s, [&](const Program &p, bool) {
    EXPECT_EQ(p.limits.mounts, 2);
    EXPECT_EQ(p.limits.tasks, std::max(3, 1 + p.threads));
    EXPECT_TRUE(is_valid(p)) << print_program(p);
    return true;
  });
  Scope d{.threads = 3, .ops = 1};
  EXPECT_EQ(scope_size(s).representatives, scope_size(d).representatives);
  EXPECT_EQ(scope_name(s),
            "threads<=3 ops<=1 faults<=0 limits tasks=3 mounts=2");
}

TEST(ScopeTest, EnumerationStopsWhenAsked) {
  uint64_t calls = 0;
  uint64_t n = for_each_program({.threads = 2, .ops = 2},
                                [&](auto &, bool) { return ++calls < 10; });
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(calls, 10u);
}

// What symmetry promises: a Program and another of its class explore to
// as many distinct interleavings, under every protocol.
TEST(ScopeTest, AClassExploresAlike) {
  Executor e;
  ExploreOptions o;
  std::vector<int> swap = {0, 2, 1};
  int compared = 0;
  for (int proto = 0; proto < kNumProtocols; ++proto) {
    Scope s{.protocol = static_cast<Protocol>(proto), .threads = 2, .ops = 3};
    uint64_t i = 0;
    for_each_program(s, [&](const Program &p, bool rep) {
      if (!rep || i++ % 997 != 0) return true;
      Program q = disguised(p, swap);
      ExploreStats a = explore_here(e, p, o), b = explore_here(e, q, o);
      EXPECT_EQ(a.classes, b.classes) << print_program(p) << print_program(q);
      EXPECT_TRUE(a.complete && b.complete);
      ++compared;
      return true;
    });
  }
  EXPECT_GT(compared, 30);
}

}  // namespace
}  // namespace nsfuzz
