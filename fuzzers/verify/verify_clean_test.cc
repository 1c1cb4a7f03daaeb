// The certificate CI keeps: every correct protocol clean on every Program
// of a small scope, under every schedule within bound 2, in this build's
// sanitizer; and at a scope with failed allocations.
#include <gtest/gtest.h>

#include "fuzzers/program/program_text.h"
#include "fuzzers/verify/sweep.h"

namespace nsfuzz {
namespace {

void expect_verified(const Scope &s) {
  SweepOptions o;
  o.scope = s;
  o.preemptions = 2;
  o.jobs = 2;
  SweepResult r = sweep(o, {});
  EXPECT_EQ(r.error, "");
  EXPECT_FALSE(r.finding) << r.explored.signature << "\n"
                          << print_program(r.explored.program);
  EXPECT_EQ(r.incomplete, 0u);
  EXPECT_EQ(r.done, r.size.representatives);
  std::printf(
      "verified: %llu Programs (of %llu before symmetry), %llu "
      "schedules, bound 2, %s, protocol %s\n",
      static_cast<unsigned long long>(r.done),
      static_cast<unsigned long long>(r.size.programs),
      static_cast<unsigned long long>(r.schedules), scope_name(s).c_str(),
      protocol_name(s.protocol).data());
}

class VerifyClean : public ::testing::TestWithParam<int> {};

TEST_P(VerifyClean, TwoThreadsTwoOperations) {
  expect_verified(
      {.protocol = static_cast<Protocol>(GetParam()), .threads = 2, .ops = 2});
}

TEST_P(VerifyClean, OneOperationAndFailedAllocations) {
  expect_verified({.protocol = static_cast<Protocol>(GetParam()),
                   .threads = 2,
                   .ops = 1,
                   .faults = 6});
}

TEST_P(VerifyClean, SmallTables) {
  expect_verified({.protocol = static_cast<Protocol>(GetParam()),
                   .threads = 2,
                   .ops = 2,
                   .limits = {.tasks = 3, .mounts = 2}});
}

INSTANTIATE_TEST_SUITE_P(EveryProtocol, VerifyClean,
                         ::testing::Range(0, kNumProtocols),
                         [](const auto &info) {
                           return std::string(protocol_name(
                               static_cast<Protocol>(info.param)));
                         });

}  // namespace
}  // namespace nsfuzz
