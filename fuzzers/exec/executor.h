// Executor: runs a Program deterministically on persistent workers.
//
// Each Program thread is a worker acting as its own task: a fiber on the
// caller's thread (the default) or a thread of its own (the reference
// backend, and the only one that can run free; handoff.h). Exactly
// one runs at a time: it holds the token until it reaches the schedule
// point where the Program says to switch, finishes, or blocks (a held
// spinlock, a grace period waiting for a reader); then it hands the token
// to the next thread by the Program's switch decisions (v2: at an anchor,
// a thread's nth pass of a site; v1: at the run's Kth point) or by its
// Policy: PCT-style priorities, an initial order and up to three change
// points where the running thread drops to the lowest priority (a
// preemption). Every context switch is recorded as a Decision
// (schedule.h), the schedule the run took as data. A
// thread that would block is never picked; when every thread is blocked the
// run reports a deadlock. The same Program gives the same interleaving, so
// the same outcome, every time.
//
// The hand-off (fuzzers/exec/handoff.cc, fiber.cc) and this scheduler are built
// without TSan and coverage instrumentation: workers get no happens-before edge
// from the token, so TSan reports the races of the code under test, and
// scheduling is no coverage feedback. The run's start and end are the only
// edges the executor adds (setup before every worker, every worker before
// teardown).
#ifndef NSFUZZ_FUZZERS_EXEC_EXECUTOR_H_
#define NSFUZZ_FUZZERS_EXEC_EXECUTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/bugs.h"
#include "core/sched.h"
#include "fuzzers/exec/handoff.h"
#include "fuzzers/exec/schedule.h"
#include "fuzzers/program/program.h"

namespace nsfuzz {

// Each thread's initial priority under seed `seed` (Policy::priorities):
// prio[1..n], all distinct; the highest runnable one runs first and is
// picked whenever the running thread blocks or finishes.
void initial_priorities(uint8_t seed, int n, int prio[kMaxThreads + 1]);

// One line of a run's story.
struct TraceEvent {
  enum Kind : uint8_t { op_begin, op_end, point, switch_to, block, unblock };
  Kind kind;
  int thread;           // 1..n (switch_to: the thread that runs next)
  Site site{};          // point, block
  std::string what;     // the op text, its result, the object
  uint32_t nth = 0;     // point, block: the thread's pass of `site`
  Decision decision{};  // switch_to
  uintptr_t addr = 0;   // point, block: the object's address (0: none)
};

// At most this many objects a step touches where it has no point are told
// apart; a step that touches more is taken to touch everything.
inline constexpr int kMaxTouched = 6;

// What the scheduler knows of one thread when it decides who runs next.
// A thread's next step is the code from the point it is paused at to its
// next point; the point's object belongs to the step on one side of it or
// the other (a site is "just loaded X" or "about to free X"), so a thread's
// position names both: the object of its point and of the one before.
struct ThreadView {
  bool runnable = false;  // not done; not blocked, or its wait is over
  bool done = false;
  bool blocked = false;
  bool started = false;  // has passed a schedule point (else: not known)
  Site site{};           // the point (or block) it stands at
  const void *obj = nullptr;
  const void *prev_obj = nullptr;  // of the point before it
};

// Whether the next steps of two threads may touch the same object (the
// order of two independent steps cannot change an outcome): their
// positions share an object, or one is not known (a thread that has not
// started, or a point with no object, which is the RCU state and so
// depends on everything). The explorer switches only between dependent
// threads; a Policy with `conflicts` counts the points where the running
// thread depends on another runnable one.
bool dependent(const ThreadView &a, const ThreadView &b);

// A decision the scheduler is about to make, for a Chooser.
struct Choice {
  enum Kind : uint8_t {
    start,     // who runs first
    point,     // the running thread reached a schedule point
    blocked,   // the running thread cannot go on
    finished,  // the running thread ran its last operation
  };
  Kind kind = start;
  int running = 0;   // 0 at start
  int proposed = 0;  // start/blocked/finished: the policy's pick (runnable)
  int n = 0;         // threads 1..n
  ThreadView threads[kMaxThreads + 1];  // [0] unused
  // The running thread's step that just ended: what it touched where it has
  // no point (core/sched.h's sched_access); touched_n -1: more than fit.
  const void *touched[kMaxTouched] = {};
  int touched_n = 0;
};

// With a chooser, the Program's switches and policy do not decide: the
// chooser does, at every choice. At a point it returns the thread to run
// (the running one: go on; another runnable one: a switch, recorded as a
// preemption); at start, blocked and finished, a runnable thread other than
// the running one (`proposed` keeps the policy's order). An answer that
// cannot run is taken as `proposed` (at a point: go on). When the last
// thread finishes the chooser is told (finished, proposed 0), so that it
// sees that thread's last step; its answer is ignored.
class Chooser {
 public:
  virtual ~Chooser() = default;
  virtual int choose(const Choice &c) = 0;
};

struct RunOptions {
  Bug bug = kDefaultBug;
  Chooser *chooser = nullptr;    // see Chooser; not with free_running
  bool trace = false;            // record the story (slow: names objects)
  uint64_t step_bound = 200000;  // schedule points before a step-bound finding
  bool free_running = false;     // real concurrency; switches become yields
  // With trace: also write each event to this fd as it happens (so that a
  // finding that aborts the run comes right after the story that led to
  // it). Written with the raw syscall: TSan's write() interceptor would add
  // happens-before edges between workers through the fd.
  int trace_fd = -1;
  // Record each schedule point passed in RunResult::steps (for the
  // minimizer; costs a push per point).
  bool record_steps = false;
  // Also write every decision (and step, with record_steps) to this fd as
  // it happens, as schedule.h's binary records; or, with record_buffer,
  // put them there (written out when it fills: its owner flushes it).
  int record_fd = -1;
  RecordBuffer *record_buffer = nullptr;
  // With trace: set to the trace while it is recorded (its storage is
  // reserved up front and never moves), for a handler that runs when a
  // finding ends the process; dangling once run() returns.
  const std::vector<TraceEvent> **live_trace = nullptr;
};

struct RunResult {
  uint64_t points = 0;       // schedule points reached
  uint64_t switches = 0;     // context switches made
  uint64_t hash = 0;         // of the interleaving: (thread, site) sequence
  std::vector<int> results;  // each op's return value, in Program order
  Schedule schedule;         // every context switch's decision; steps
  std::vector<TraceEvent> trace;
  // Which thread ran which schedule-point pair on the same object in a
  // row, for interleaving feedback: (site a, site b) with a's thread != b's.
  std::vector<uint16_t> pairs;
};

class Executor {
 public:
  // With Backend::fibers, every run() must come from the thread that made
  // the Executor; a free_running run goes to worker threads all the same.
  explicit Executor(Backend b = default_backend());
  ~Executor();
  Executor(const Executor &) = delete;
  Executor &operator=(const Executor &) = delete;

  // Runs `p` on a fresh world, then tears the world down and checks it.
  // Findings go to the core's finding handler (default: report and abort).
  // The result is the Executor's own, valid until the next run (its
  // buffers are reused: no allocation per run).
  const RunResult &run(const Program &p, const RunOptions &opts = {});
  Backend backend() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Impl> threads_;  // free_running runs, under fibers
};

// One operation on the current task, called directly on the core, as a
// worker runs it (a NAME argument is its letter and number): its return
// value or -errno.
int execute_op(const Op &op);

// The floor of a run: `p`'s operations in Program order on the calling
// thread, each as its task (`current`) and to its end, on a fresh world
// torn down and checked as run() does; no scheduler, switches and policy
// ignored (a schedule point costs one branch). What the model's work costs
// without the executor (bench/harness_bench, NSFUZZ_FLOOR in the fuzz
// target). An op never waits for another task on one thread unless the
// core leaves a lock or a reader behind (a bug): then it spins.
void run_in_program_order(const Program &p, Bug bug = kDefaultBug);

// One event as a line, "T1: unshare(NEWNS)"; and the story of a run.
std::string format_event(const TraceEvent &e);
std::string format_trace(const std::vector<TraceEvent> &trace);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXEC_EXECUTOR_H_
