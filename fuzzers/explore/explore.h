// The bounded explorer: every schedule of a Program's operations with at
// most K preemptions, depth first, in a fixed order.
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
// dependent_only switches only to a thread u whose position depends on t's
// (ThreadView: the objects of the point each stands at and of the one
// before; a thread that has not started, or a point with no object, which
// is the RCU state, depends on everything). It runs about a quarter fewer
// schedules, but it is not sound for the bound: u's next step may commute
// with t's while a later one does not, and the interleavings that put that
// later step first can need a switch at the independent point. On the
// seeds at K=2 it runs 14902 distinct interleavings where switching at
// every point runs 18176 (ExploreStats::classes), so it is not the
// default: "clean" means every schedule within the bound.
//
// Partial-order reduction: sleep sets. After the subtree of one choice at a
// point is done, that thread sleeps in the subtrees of the choices after it
// until a step that depends on its next one runs; a choice of a sleeping
// thread is never explored, and a run that must run one (a policy pick) is
// redundant from there on: it creates no more choices ("sleep-blocked").
// The bound and the sleep sets together can skip a schedule whose
// equivalent needed one preemption more than the bound; tests compare the
// findings with and without them. At K=2 they prune nothing on our
// Programs: a switch is most often to a thread that has not started, whose
// first step depends on everything and so wakes the thread it preempted.
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
  int preemptions = 2;  // K
  uint64_t budget = 0;  // at most this many schedules; 0: no limit
  bool sleep_sets = true;
  // Switch only to a thread whose next step depends on the running one's
  // (see above: faster, and not every interleaving within the bound).
  bool dependent_only = false;
  Bug bug = kDefaultBug;
};

struct ExploreStats {
  uint64_t schedules = 0;      // runs made
  uint64_t sleep_blocked = 0;  // of those, found redundant part-way
  // Of those, how many ran distinct interleavings up to reordering adjacent
  // independent steps (distinct Mazurkiewicz traces under dependent()): a
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
