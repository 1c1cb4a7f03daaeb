// The fiber backend against the thread backend (the reference): every seed
// and thousands of random Programs, under every protocol, run with the
// same results, decisions, steps, interleaving hash, feedback pairs and
// story on both. (Committed cases, whose runs end in a finding, are
// compared in regressions:backends_test.)
#include <gtest/gtest.h>

#include <cstdio>

#include "core/testing/protocols.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/exec/fiber.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/testing/testing_corpus.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

// What a run did, in a form two runs can be compared by (and read in a
// failure message).
std::string outcome(const RunResult &r) {
  std::string s = "points " + std::to_string(r.points) + ", switches " +
                  std::to_string(r.switches) + ", hash " +
                  std::to_string(r.hash) + "\nresults";
  for (int v : r.results) s += " " + std::to_string(v);
  s += "\npairs";
  for (uint16_t p : r.pairs) s += " " + std::to_string(p);
  s += "\n";
  for (const Decision &d : r.schedule.decisions) s += print_decision(d) + "\n";
  for (const Step &st : r.schedule.steps)
    s += "step T" + std::to_string(st.at.thread) + " " +
         std::string(site_name(st.at.site)) + "#" + std::to_string(st.at.nth) +
         " op " + std::to_string(st.op) + "\n";
  return s + format_trace(r.trace);
}

class BackendsTest : public ::testing::TestWithParam<Protocol> {
 protected:
  // One of each for the whole suite: like a fuzz target's, reused by every
  // run (a leftover of one run would show in the next).
  static Executor &threads() {
    static Executor *e = new Executor(Backend::threads);
    return *e;
  }
  static Executor &fibers() {
    static Executor *e = new Executor(Backend::fibers);
    return *e;
  }
  // Runs `p` on both; returns whether they agree (and says how not).
  static bool same(const Program &p, const RunOptions &o) {
    std::string a = outcome(threads().run(p, o));
    std::string b = outcome(fibers().run(p, o));
    EXPECT_EQ(a, b) << print_program(p);
    return a == b;
  }
};

TEST_P(BackendsTest, SeedsAndRandomProgramsRunTheSameOnBoth) {
  ASSERT_TRUE(fibers_available()) << "this test needs x86-64";
  ASSERT_EQ(threads().backend(), Backend::threads);
  ASSERT_EQ(fibers().backend(), Backend::fibers);
  std::vector<Program> programs;
  for (const auto &bytes : testing::SeedCorpus())
    programs.push_back(read_input(bytes.data(), bytes.size()).program);
  for (Program &p : testing::RandomPrograms(
           1500, 0xb4c7 + static_cast<int>(GetParam()), 40, 200, 8))
    programs.push_back(std::move(p));
  RunOptions plain, full;
  full.trace = true;  // names objects: reads the core from the scheduler
  full.record_steps = true;
  int agree = 0;
  for (size_t i = 0; i < programs.size(); ++i) {
    Program &p = programs[i];
    p.protocol = GetParam();
    agree += same(p, i % 3 ? plain : full);
  }
  EXPECT_EQ(agree, static_cast<int>(programs.size()));
  std::printf("%d of %zu Programs ran the same on both backends (%s)\n", agree,
              programs.size(), std::string(protocol_name(GetParam())).c_str());
}

// The policy's change points and the Program's switch lines move the token
// between workers in the middle of operations: a random Program with a
// policy and anchored switches from where its threads really are.
TEST_P(BackendsTest, PreemptionsAndAnchoredSwitchesRunTheSameOnBoth) {
  Rng rng(0x5ced + static_cast<int>(GetParam()));
  int agree = 0, n = 0;
  RunOptions steps;
  steps.record_steps = true;
  for (Program p : testing::RandomPrograms(500, 0xa7c4, 40, 200, 8)) {
    p.protocol = GetParam();
    p.policy = Policy::unpack(static_cast<uint32_t>(rng.next()));
    p.policy.conflicts = rng.below(2);
    // Two switches at points the run really passes.
    std::vector<Step> passed = threads().run(p, steps).schedule.steps;
    for (int k = 0; k < 2 && !passed.empty(); ++k) {
      const Step &s = passed[rng.below(static_cast<uint32_t>(passed.size()))];
      p.switches.push_back({s.at, 1 + static_cast<int>(rng.below(
                                          static_cast<uint32_t>(p.threads)))});
    }
    ++n;
    agree += same(p, steps);
  }
  EXPECT_EQ(agree, n);
}

// The calling thread's TaskLocal is its own between runs on both: a fiber
// that starts or stops sets the thread's pointer to its worker's, and a
// world torn down under a worker's RCU slot took another path through the
// core (other coverage, so another fuzzing path, than on threads).
TEST(BackendsCallerTest, TheCallersTaskLocalIsItsOwnBetweenRuns) {
  TaskLocal *const own = sched_internal::task_local;
  for (Backend b : {Backend::threads, Backend::fibers}) {
    SCOPED_TRACE(backend_name(b));
    {
      Executor e(b);
      EXPECT_EQ(sched_internal::task_local, own) << "after construction";
      for (const Program &p : testing::RandomPrograms(20, 0x7a5c, 12, 200, 4))
        e.run(p);
      EXPECT_EQ(sched_internal::task_local, own) << "after runs";
    }
    EXPECT_EQ(sched_internal::task_local, own) << "after destruction";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryProtocol, BackendsTest, testing::AllProtocols(),
                         testing::ProtocolName());

}  // namespace
}  // namespace nsfuzz
