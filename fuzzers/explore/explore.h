// The bounded explorer: every interleaving of a Program's operations with
// at most K preemptions, depth first, in a fixed order.
//
// What it explores. The Program's switch lines and policy are ignored: its
// operations run under a Chooser (executor.h) that decides at every schedule
// point. At a point of the running thread t, it may go on or switch to any
// other runnable thread: a preemption, at most K of them. Where the running
// thread blocks or finishes (and at the start), the next one is a policy
// pick, free: the highest runnable thread in a priority order. Any runnable
// thread can be that pick unless an earlier pick of the same run put it
// below another runnable one, so each run has a priority order, and is a
// v2 Program: a `priorities` seed that gives the order (seed_for) and its
// preemptions as anchored switches (with_schedule). The order of the tree
// is depth first, the running thread (or the seed's pick) before the
// others, threads by number: two explorations run the same schedules in
// the same order.
//
// Which switches it tries: DPOR. Interleavings that differ only in the
// order of adjacent independent steps (a step: a thread's code from one
// point to its next) are equivalent; one run of each is enough. Two steps
// of different threads depend on each other when their footprints share
// an object: the objects of the points a step starts and ends at and those
// it touches in between (the core's sched_access: reference counts, the
// allocator), everything for a thread's first step and at a point with no
// object (the RCU state). A run starts with no alternatives: "go on" at
// each point, the seed's pick at each pick. After it, every race (a step j
// and an earlier step i of another thread that j depends on, with no step
// between them ordered after i and before j) adds j's thread as an
// alternative where i was chosen and where the block of i's thread holding
// i began (Coons, Musuvathi, McKinley, OOPSLA'13: the reversed order can
// need one preemption fewer from there). Where that moment is no choice
// (the bound was spent) or j's thread cannot go first there, the nearest
// choice before it where it can; where it was blocked, also every thread
// that could run (Flanagan and Godefroid's rule). Every race, not only the
// latest before j as in the unbounded algorithm: the run that reverses the
// latest can need a preemption too many to show the others.
//
// On the seeds it reaches every interleaving that switching at every point
// (dpor false) reaches: at K=2, 17155 in 17978 schedules instead of 20719
// (on every two-thread seed each schedule is a distinct interleaving); at
// K=3, 232081 in 255883 instead of 311075. ExploreStats::classes counts
// distinct interleavings; explore_test checks both searches reach as many,
// and small Programs where the latest race alone, no block start, or no
// walk past a blocked thread reach fewer.
//
// dependent_only switches only to a thread whose position depends on t's
// (ThreadView). Not sound for the bound: u's next step may commute with
// t's while a later one does not. On the seeds at K=2 it reaches 14049 of
// the 17155 interleavings.
//
// sleep_sets (off by default): after the subtree of one choice is done,
// that thread sleeps in the subtrees of the choices after it until a step
// that depends on its next one runs; a run that must run a sleeping thread
// is redundant from there on ("sleep-blocked"). With a bound they skip
// interleavings whose other orders need a preemption more: on the seeds at
// K=2 they reach 17126 of the 17155.
//
// Findings end the process (ASan aborts). explore() therefore runs the
// search in a child process that owns an Executor and runs schedule after
// schedule, and writes to a pipe what the parent needs to follow it: a
// marker before each schedule, its decisions (schedule.h records) as they
// happen, and at its end the path of the tree it followed, its picks, steps
// and footprints, which until then are in memory the parent shares. When
// the child dies, the last marker, the records after it and those in that
// memory are the schedule of the finding: the parent writes it as a Program and
// runs that once more in a fresh child to check it shows the same signature.
//
// Looking for one signature (ExploreOptions::signature, the minimizer's and
// bisect's question "does some schedule show this finding?"), a finding of
// another one does not end the search: it ends that schedule, as if the
// Program stopped there. The parent counts it and starts a new child that
// takes the tree as the dead run left it, with the races among the steps
// it made (the step a finding cut short counts as touching everything),
// and goes on with the next schedule: the same schedules in the same order
// as one child would run had the finding not killed it.
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
  // When not empty (a Signature::str()), a finding of another signature is
  // counted and the search goes on after it (see above).
  std::string signature;
  // explore(): a child that has not ended after this many seconds is
  // killed, and the search ends there (ExploreResult::timed_out); 0: none.
  int timeout_seconds = 0;
};

struct ExploreStats {
  uint64_t schedules = 0;      // runs made (findings end some)
  uint64_t sleep_blocked = 0;  // of those, found redundant part-way
  // Of those, how many ran distinct interleavings up to reordering adjacent
  // independent steps (Mazurkiewicz traces under the footprints above),
  // of those that ran to their end: a schedule beyond these repeated one
  // already run, or a finding ended it.
  uint64_t classes = 0;
  bool complete = false;  // every interleaving within the bound ran
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

// What explore() does when a finding of another signature ends a
// schedule, tried where no finding is: the search that explore_here with
// `record_fd` wrote `records` of, cut after the last step of its schedule
// n (from 0), goes on here from that tree and those steps; the schedules
// after n go to log. They are those of the search that was cut.
ExploreStats explore_after(Executor &e, const Program &p,
                           const ExploreOptions &o, const std::string &records,
                           uint64_t n, std::vector<ExploredSchedule> *log);

// The Program that replays schedule `s` of an exploration of p.
Program schedule_program(const Program &p, const ExploredSchedule &s);

struct ExploreResult {
  ExploreStats stats;      // up to and including the finding's schedule
  bool finding = false;    // a child died on a schedule
  std::string signature;   // Signature::str() of its report ("" if none)
  std::string report;      // what the child printed
  Program program;         // the finding's schedule as a Program
  bool replayed = false;   // a fresh run of `program` gave `signature`
  std::string error;       // the search could not run (one line)
  bool timed_out = false;  // a child outlived ExploreOptions::timeout_seconds
  // With ExploreOptions::signature: the findings of other signatures it
  // went past, and the first one's signature and report.
  uint64_t other_findings = 0;
  std::string other_signature, other_report;
};

// The search in a child process, as above.
ExploreResult explore(const Program &p, const ExploreOptions &o);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_EXPLORE_H_
