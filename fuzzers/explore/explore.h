// The bounded explorer: every interleaving of a Program's operations with
// at most K preemptions, depth first, in a fixed order.
//
// What it explores. The Program's switch lines and policy are ignored: its
// operations run under a Chooser (executor.h) that decides at every schedule
// point. At a point of the running thread t, it may go on or switch to any
// other runnable thread: a preemption, at most K of them. Where the running
// thread blocks or finishes, the next one is the policy's pick (free). That
// pick follows the threads' priority order, so the search runs once per
// order that a `priorities` seed gives (two orders for two threads, six for
// three), and each schedule is a v2 Program: that seed and its preemptions
// as anchored switches (with_schedule). The order within an order's tree is
// depth first, "go on" before "switch", threads by number: two explorations
// run the same schedules in the same order.
//
// Which switches it tries: DPOR. Interleavings that differ only in the
// order of adjacent independent steps (a step: a thread's code from one
// point to its next) are equivalent; one run of each is enough. Two steps
// of different threads depend on each other when their footprints share
// an object: the objects of the points a step starts and ends at and those
// it touches in between (the core's sched_access: reference counts, the
// allocator), everything for a thread's first step and at a point with no
// object (the RCU state). A run starts with no alternatives: "go on" at
// each point. After it, every race (a step j and the latest step i of
// another thread that j depends on and that does not happen before j's
// thread's previous step) adds j's thread as an alternative where i was
// chosen and where the block of i's thread holding i began (Coons,
// Musuvathi, McKinley, OOPSLA'13: the reversed order can need one
// preemption fewer from there); where that moment is no choice (a policy
// pick, or the bound was spent), the nearest choice before it. On the seeds
// at K=2 it reaches all 17155 distinct interleavings that switching at
// every point (dpor false) reaches, in 22862 schedules instead of 25588;
// on every two-thread seed each schedule is a distinct interleaving. The
// rest are repeats across priority orders and at those nearest choices.
// ExploreStats::classes counts distinct interleavings under the same
// dependence; explore_test checks both searches reach as many.
//
// dependent_only switches only to a thread whose position depends on t's
// (ThreadView). Not sound for the bound: u's next step may commute with
// t's while a later one does not. On the seeds at K=2 it reaches 14049 of
// the 17155 interleavings.
//
// sleep_sets (off by default): after the subtree of one choice at a point
// is done, that thread sleeps in the subtrees of the choices after it until
// a step that depends on its next one runs; a run that must run a sleeping
// thread is redundant from there on ("sleep-blocked"). With a bound they
// skip interleavings whose other orders need a preemption more:
// unwind_on_enomem at K=3 under task_lock_2007 reaches 378 of 432.
//
// Findings end the process (ASan aborts). explore() therefore runs the
// search in a child process that owns an Executor and runs schedule after
// schedule; before each one it writes a marker (its number and seed) to a
// pipe, then the run writes its decisions there (schedule.h records). When
// the child dies, the last marker and the decisions after it are the
// schedule of the finding: the parent writes it as a Program and runs that
// once more in a fresh child to check it shows the same signature.
#ifndef NSFUZZ_FUZZERS_EXPLORE_EXPLORE_H_
#define NSFUZZ_FUZZERS_EXPLORE_EXPLORE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/bugs.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/exec/schedule.h"
#include "fuzzers/program/program.h"

namespace nsfuzz {

struct ExploreOptions {
  int preemptions = 2;      // K
  uint64_t budget = 0;      // at most this many schedules; 0: no limit
  bool dpor = true;         // else: switch at every point
  bool sleep_sets = false;  // see above: they can skip interleavings
  // Switch only to a thread whose next step depends on the running one's
  // (see above: faster, and not every interleaving within the bound).
  bool dependent_only = false;
  Bug bug = kDefaultBug;
};

struct ExploreStats {
  uint64_t schedules = 0;      // runs made
  uint64_t sleep_blocked = 0;  // of those, found redundant part-way
  // Of those, how many ran distinct interleavings up to reordering adjacent
  // independent steps (Mazurkiewicz traces under the footprints above): a
  // schedule beyond these repeated one already run.
  uint64_t classes = 0;
  bool complete = false;  // every schedule within the bound ran
  uint64_t hash = 0;      // of the sequence: seeds and decisions
};

// p's operations, threads, privileges and fault injection; no switches and
// no policy.
Program exploration_base(const Program &p);

// The smallest `priorities` seed of each distinct priority order of n
// threads, smallest first.
std::vector<uint8_t> order_seeds(int n);

// One schedule as it ran: its seed and its decisions.
struct ExploredSchedule {
  uint8_t seed = 0;
  std::vector<Decision> decisions;
};

// The search in this process, on `e`: a finding ends the process. With
// record_fd >= 0, each schedule's marker and decisions go there; with log,
// every schedule is appended to it.
ExploreStats explore_here(Executor &e, const Program &p,
                          const ExploreOptions &o, int record_fd = -1,
                          std::vector<ExploredSchedule> *log = nullptr);

// The Program that replays schedule `s` of an exploration of p.
Program schedule_program(const Program &p, const ExploredSchedule &s);

struct ExploreResult {
  ExploreStats stats;     // up to and including the finding's schedule
  bool finding = false;   // a child died on a schedule
  std::string signature;  // Signature::str() of its report ("" if none)
  std::string report;     // what the child printed
  Program program;        // the finding's schedule as a Program
  bool replayed = false;  // a fresh run of `program` gave `signature`
  std::string error;      // the search could not run (one line)
};

// The search in a child process, as above.
ExploreResult explore(const Program &p, const ExploreOptions &o);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_EXPLORE_H_
