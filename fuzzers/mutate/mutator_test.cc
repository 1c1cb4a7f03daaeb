// Tests of the structure-aware mutator: validity, effect, determinism.
#include "fuzzers/mutate/mutator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/program/validate.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

TEST(Rng, IsDeterministicAndInRange) {
  Rng a(5), b(5);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(a.next(), b.next());
    ASSERT_LT(a.below(7), 7u);
    b.below(7);
  }
}

TEST(Mutator, EveryKindKeepsProgramsValidAndSometimesChangesThem) {
  const std::vector<Program> programs =
      testing::RandomPrograms(400, 11, 48, 300, 4);
  for (int m = 0; m < kNumMutations; ++m) {
    const Mutation kind = static_cast<Mutation>(m);
    int changed = 0;
    for (size_t i = 0; i < programs.size(); ++i) {
      const Program q = mutate(programs[i], kind, i * 7919 + m);
      std::string why;
      ASSERT_TRUE(is_valid(q, &why))
          << mutation_name(kind) << ": " << why << "\n"
          << print_program(programs[i]);
      if (q != programs[i]) ++changed;
    }
    EXPECT_GT(changed, 100) << mutation_name(kind);
  }
}

TEST(Mutator, ExtremeProgramsStayValid) {
  // Found by decoder_fuzzer: a switch near UINT32_MAX made add_switch wrap.
  Program high;
  high.format = kFormatV1;
  high.step_switches = {{UINT32_MAX - 6, 2}, {UINT32_MAX, 1}};
  Program last_pass;
  last_pass.switches = {{{1, Site::put_ns, kMaxNth}, 2}};
  Program full;
  full.threads = kMaxThreads;
  full.ops.assign(kMaxOps, Op{.thread = kMaxThreads});
  for (uint32_t i = 1; i <= kMaxSwitches; ++i)
    full.switches.push_back({{kMaxThreads, Site::put_ns, i}, 1});
  Program low;
  low.switches = {{{1, Site::task_lock, 1}, 2}};
  for (const Program &p : {high, last_pass, full, low, Program{}}) {
    for (int m = 0; m < kNumMutations; ++m) {
      for (uint64_t seed = 0; seed < 300; ++seed) {
        const Program q = mutate(p, static_cast<Mutation>(m), seed);
        std::string why;
        ASSERT_TRUE(is_valid(q, &why))
            << mutation_name(static_cast<Mutation>(m)) << ": " << why;
      }
    }
  }
}

TEST(Mutator, NamesAreDistinct) {
  for (int i = 0; i < kNumMutations; ++i)
    for (int j = 0; j < i; ++j)
      EXPECT_NE(mutation_name(static_cast<Mutation>(i)),
                mutation_name(static_cast<Mutation>(j)));
}

TEST(Mutator, RandomWalkStaysValid) {
  Rng rng(12);
  Program p;
  int unchanged = 0;
  for (int i = 0; i < 100000; ++i) {
    const Program q = mutate(p, rng.next());
    std::string why;
    ASSERT_TRUE(is_valid(q, &why)) << why << "\n" << print_program(p);
    if (q == p) ++unchanged;
    p = q;
  }
  EXPECT_LT(unchanged, 100);
}

TEST(Mutator, IsDeterministic) {
  for (const Program &p : testing::RandomPrograms(100, 13, 48, 300, 4)) {
    EXPECT_EQ(mutate(p, 99), mutate(p, 99));
    EXPECT_EQ(crossover(p, Program{}, 99), crossover(p, Program{}, 99));
  }
}

// Whether c's operations start with some of a's and go on with some of
// b's (kinds and arguments: crossover renumbers threads).
bool MixesOps(const Program &a, const Program &b, const Program &c) {
  auto same = [](const Op &x, const Op &y) {
    return x.kind == y.kind && x.arg == y.arg;
  };
  size_t i = 0;
  while (i < c.ops.size() && i < a.ops.size() && same(c.ops[i], a.ops[i])) ++i;
  if (i == 0 || i == c.ops.size()) return false;
  for (size_t j = 0; j < b.ops.size(); ++j)
    if (same(c.ops[i], b.ops[j])) return true;
  return false;
}

TEST(Mutator, CrossoverIsValidAndMixesBothParents) {
  const std::vector<Program> programs =
      testing::RandomPrograms(400, 14, 48, 300, 4);
  int mixed = 0, mixed_ops = 0;
  for (size_t i = 0; i + 1 < programs.size(); ++i) {
    const Program &a = programs[i], &b = programs[i + 1];
    const Program c = crossover(a, b, i);
    std::string why;
    ASSERT_TRUE(is_valid(c, &why)) << why;
    if (c != a && c != b) ++mixed;
    mixed_ops += MixesOps(a, b, c);
  }
  EXPECT_GT(mixed, 200);
  // The operations themselves are mixed, not only the header or schedule.
  EXPECT_GT(mixed_ops, 100);
  // Full programs stay within the limits.
  Program full;
  full.ops.assign(kMaxOps, Op{});
  for (uint32_t i = 1; i <= kMaxSwitches; ++i)
    full.switches.push_back({{1, Site::task_lock, i}, 2});
  Program late = full;
  for (Switch &s : late.switches) s.at.nth += 1000;
  for (uint64_t seed = 0; seed < 200; ++seed)
    ASSERT_TRUE(is_valid(crossover(full, late, seed)));
}

// Limits are a Program's setting, not something to search: every mutant
// keeps its parent's (a crossover child its first parent's), tasks raised
// only as far as more threads need.
TEST(Mutator, MutantsKeepTheParentsLimits) {
  const Program limited = testing::ParseOrFail(
      "# nsfuzz program v2\n"
      "threads 2\n"
      "privileged T1\n"
      "limits tasks=3 mounts=2\n"
      "T1: clone(0)\n"
      "T2: mount(m1)\n");
  Program wide;
  wide.threads = kMaxThreads;
  wide.ops = {{kMaxThreads, OpKind::exit, 0}};
  int more_threads = 0;
  for (int m = 0; m < kNumMutations; ++m) {
    for (uint64_t seed = 0; seed < 50; ++seed) {
      const Program q = mutate(limited, static_cast<Mutation>(m), seed);
      std::string why;
      ASSERT_TRUE(is_valid(q, &why))
          << mutation_name(static_cast<Mutation>(m)) << ": " << why;
      EXPECT_EQ(q.limits,
                (Limits{.tasks = std::max(3, 1 + q.threads), .mounts = 2}));
      more_threads += q.threads > limited.threads;
    }
  }
  EXPECT_GT(more_threads, 0);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const Program c = crossover(limited, wide, seed);
    ASSERT_TRUE(is_valid(c));
    EXPECT_EQ(c.limits,
              (Limits{.tasks = std::max(3, 1 + c.threads), .mounts = 2}));
    EXPECT_EQ(crossover(wide, limited, seed).limits, Limits{});
  }
}

TEST(Mutator, CustomMutateFitsAndDecodesToAMutant) {
  Rng rng(15);
  int changed = 0;
  for (const Program &p : testing::RandomPrograms(2000, 16, 48, 300, 4)) {
    std::vector<uint8_t> buf = encode(p);
    const size_t size = buf.size();
    const size_t max_size = size + rng.below(32);
    buf.resize(max_size);
    const size_t n = custom_mutate(buf.data(), size, max_size, rng.next());
    ASSERT_LE(n, max_size);
    const Program q = decode(buf.data(), n);
    ASSERT_TRUE(is_valid(q));
    if (q != p) ++changed;
  }
  EXPECT_GT(changed, 1800);
}

size_t g_byte_mutations = 0;
size_t fake_byte_mutate(uint8_t *data, size_t size, size_t max_size) {
  ++g_byte_mutations;
  if (size < max_size) data[size++] = 0x55;
  return size;
}

TEST(Mutator, CustomMutateDefersToByteMutatorSometimes) {
  g_byte_mutations = 0;
  for (unsigned seed = 0; seed < 800; ++seed) {
    std::vector<uint8_t> buf(64, 0x01);
    custom_mutate(buf.data(), 32, buf.size(), seed, fake_byte_mutate);
  }
  EXPECT_GT(g_byte_mutations, 50u);
  EXPECT_LT(g_byte_mutations, 200u);
}

TEST(Mutator, CustomMutateFallsBackWhenNothingFits) {
  // A full program cannot grow; with max_size below its encoding, nothing
  // fits and the input gets a byte-level change within max_size.
  Program full;
  full.ops.assign(kMaxOps, Op{});
  std::vector<uint8_t> buf = encode(full);
  const std::vector<uint8_t> before = buf;
  const size_t n = custom_mutate(buf.data(), buf.size(), 10, 3);
  EXPECT_LE(n, 10u);
  EXPECT_TRUE(is_valid(decode(buf.data(), n)));
  EXPECT_EQ(custom_mutate(nullptr, 0, 0, 3), 0u);
  g_byte_mutations = 0;
  custom_mutate(buf.data(), buf.size(), 10, 3, fake_byte_mutate);
  EXPECT_EQ(g_byte_mutations, 1u);
}

TEST(Mutator, CustomCrossover) {
  const std::vector<Program> programs =
      testing::RandomPrograms(200, 17, 48, 300, 4);
  for (size_t i = 0; i + 1 < programs.size(); ++i) {
    const std::vector<uint8_t> a = encode(programs[i]);
    const std::vector<uint8_t> b = encode(programs[i + 1]);
    std::vector<uint8_t> out(kMaxEncodedSize);
    const size_t n = custom_crossover(a.data(), a.size(), b.data(), b.size(),
                                      out.data(), out.size(), i);
    ASSERT_GT(n, 0u);
    ASSERT_TRUE(is_valid(decode(out.data(), n)));
    EXPECT_EQ(custom_crossover(a.data(), a.size(), b.data(), b.size(),
                               out.data(), 0, i),
              0u);
  }
}

}  // namespace
}  // namespace nsfuzz

namespace nsfuzz {
namespace {

// Given the anchors a run passes, add_switch places switches there (but
// for one time in eight), and asks for them once per call at most.
TEST(Mutator, SwitchesGoWhereTheRunPasses) {
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
protocol rcu_2007
threads 2
T1: unshare(NEWNS)
T2: mounts_open(T1)
)");
  const std::vector<Anchor> passed = {{1, Site::switch_put_old, 1},
                                      {2, Site::rcu_dereference, 1},
                                      {1, Site::put_ns, 3}};
  int asked = 0, on_list = 0, placed = 0;
  AnchorsOf of = [&](const Program &) {
    ++asked;
    return passed;
  };
  for (uint64_t seed = 0; seed < 800; ++seed) {
    int before = asked;
    Program q = mutate(p, Mutation::add_switch, seed, of);
    ASSERT_LE(asked - before, 1);
    ASSERT_EQ(q.switches.size(), 1u);
    ++placed;
    for (const Anchor &a : passed) on_list += q.switches[0].at == a;
  }
  EXPECT_GT(on_list, placed * 3 / 4);
  EXPECT_LT(on_list, placed);  // and sometimes where the run has not been
  // Mutations that place no switch never ask.
  asked = 0;
  for (uint64_t seed = 0; seed < 100; ++seed)
    mutate(p, Mutation::change_arg, seed, of);
  EXPECT_EQ(asked, 0);
}

// reschedule: no switches, a conflict-counting policy whose change points
// open a window early in the run; without windows, independent points.
TEST(Mutator, RescheduleDrawsConflictWindows) {
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
threads 2
T1: unshare(NEWNS)
T2: mounts_open(T1)
switch T1@switch_put_old#1 -> T2
)");
  int wide = 0;
  for (bool windows : {true, false}) {
    const ScheduleSearch search{.reschedule = true, .windows = windows};
    for (uint64_t seed = 0; seed < 500; ++seed) {
      Program q = mutate(p, Mutation::reschedule, seed, nullptr, search);
      ASSERT_TRUE(q.switches.empty());
      ASSERT_TRUE(q.policy.conflicts);
      const uint8_t *cp = q.policy.preempt;
      ASSERT_GE(cp[0], 1);
      ASSERT_LE(cp[0], kConflictHorizon);
      ASSERT_NE(cp[1], 0);
      if (windows) {
        ASSERT_GT(cp[1], cp[0]);
        ASSERT_LE(cp[1] - cp[0], kMaxWindow);
        if (cp[2]) ASSERT_LE(cp[2] - cp[1], kMaxWindow);
      } else {
        wide += cp[1] > cp[0] + kMaxWindow;
      }
    }
  }
  EXPECT_GT(wide, 100);
  // Turned off, it changes nothing (mutate() then picks another).
  EXPECT_EQ(mutate(p, Mutation::reschedule, 1, nullptr, {.reschedule = false}),
            p);
}

}  // namespace
}  // namespace nsfuzz
