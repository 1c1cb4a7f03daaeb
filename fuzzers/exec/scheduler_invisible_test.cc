// The executor never reports its own synchronization: correct protocols run
// clean, under TSan too, across many random Programs shaped so that idle
// workers pick who runs next while others are blocked on objects that a
// third thread made (the shape of a false alarm the scheduler once raised).
#include <gtest/gtest.h>

#include "core/testing/protocols.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/mutate/mutator.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

// T1 forks children (T5 upward) and acts on them; T2 reads and enters
// them, contending for their task_lock; T3 and T4 have next to nothing to
// do, so they finish early and then decide, on their own threads, whether
// blocked T1 or T2 may run.
Program IdleWorkersProgram(Rng &rng, Protocol protocol) {
  Program p;
  p.protocol = protocol;
  p.threads = 4;
  p.privileged = 0b11110;
  p.policy = Policy::unpack(static_cast<uint32_t>(rng.next()));
  // Half count conflicting points: the scheduler then reads every other
  // thread's wait at each point (conflicting()), through the blind scope.
  p.policy.conflicts = rng.below(2);
  int children = 2 + static_cast<int>(rng.below(10));
  for (int i = 0; i < children; ++i)
    p.ops.push_back({1, OpKind::clone, rng.one_in(4) ? 1u : 0u});
  auto child = [&] { return 5 + rng.below(static_cast<uint32_t>(children)); };
  const OpKind kinds[] = {OpKind::mounts_open, OpKind::mountstats_open,
                          OpKind::gethostname, OpKind::setns};
  int rest = static_cast<int>(rng.below(kMaxOps - children));
  for (int i = 0; i < rest; ++i) {
    int thread = rng.one_in(8) ? 3 + static_cast<int>(rng.below(2))
                               : 1 + static_cast<int>(rng.below(2));
    if (rng.one_in(5)) {
      p.ops.push_back({thread,
                       rng.one_in(2) ? OpKind::unshare : OpKind::daemonize,
                       rng.below(4)});
    } else {
      p.ops.push_back({thread, kinds[rng.below(4)], child()});
    }
  }
  return p;
}

class SchedulerInvisibleTest : public ::testing::TestWithParam<Protocol> {};

// On both backends: fibers share one OS thread's `current` and TaskLocal
// pointer, which the scheduler writes at every switch (TSan must not see
// it), and threads hand the token through futexes.
void IdleWorkersAndBlockedThreadsRunClean(Executor &executor, Protocol pr) {
  Rng rng(0x5eed + static_cast<int>(pr));
  RunOptions traced;
  traced.trace = true;  // object names are read from the core too
  for (int i = 0; i < 400; ++i) {
    Program p = IdleWorkersProgram(rng, pr);
    const RunResult &r = executor.run(p, i % 4 ? RunOptions{} : traced);
    ASSERT_EQ(r.results.size(), p.ops.size());  // a report ends the process
  }
  for (Program p : testing::RandomPrograms(400, 7, 40, 200, 8)) {
    p.protocol = pr;
    executor.run(p);
  }
}

TEST_P(SchedulerInvisibleTest, OnFibers) {
  static Executor *executor = new Executor(Backend::fibers);
  IdleWorkersAndBlockedThreadsRunClean(*executor, GetParam());
}

TEST_P(SchedulerInvisibleTest, OnThreads) {
  static Executor *executor = new Executor(Backend::threads);
  IdleWorkersAndBlockedThreadsRunClean(*executor, GetParam());
}

INSTANTIATE_TEST_SUITE_P(EveryProtocol, SchedulerInvisibleTest,
                         testing::AllProtocols(), testing::ProtocolName());

}  // namespace
}  // namespace nsfuzz
