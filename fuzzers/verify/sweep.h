// The sweep: every representative Program of a scope (scope.h), each
// explored to a preemption bound (explore.h); the first finding, or none.
//
// Programs go, in the scope's order, to worker processes that each own an
// Executor and explore Program after Program in-process (explore_here):
// a clean Program costs its schedules and nothing else. A finding ends the
// worker that met it (ASan aborts); the sweep then waits for the Programs
// before that one (the first finding in the scope's order is the verdict,
// whatever --jobs), and explores the finding's Program once more with
// explore(), which writes its schedule as a Program and replays it.
//
// Sharding takes every n-th representative (index % n == i). A checkpoint
// (SweepOptions::state) holds the index below which every Program of the
// shard is done; a sweep started with the same options goes on from there.
#ifndef NSFUZZ_FUZZERS_VERIFY_SWEEP_H_
#define NSFUZZ_FUZZERS_VERIFY_SWEEP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "core/bugs.h"
#include "fuzzers/explore/explore.h"
#include "fuzzers/verify/scope.h"

namespace nsfuzz {

struct SweepOptions {
  Scope scope;
  int preemptions = 2;
  Bug bug = kDefaultBug;
  int jobs = 1;               // worker processes
  int shard = 0, shards = 1;  // this sweep takes index % shards == shard
  std::string state;          // checkpoint file ("": none); removed when done
};

struct SweepProgress {
  uint64_t done = 0, total = 0;  // Programs of the shard
  uint64_t schedules = 0;
  uint64_t resumed = 0;  // of done, those a checkpoint had
};

struct SweepResult {
  ScopeSize size;            // of the whole scope
  uint64_t total = 0;        // representatives in this shard
  uint64_t done = 0;         // explored (a checkpoint's included)
  uint64_t resumed = 0;      // of those, from the checkpoint
  uint64_t schedules = 0;    // over them
  uint64_t incomplete = 0;   // explorations cut short (a run too long)
  bool interrupted = false;  // SIGINT or SIGTERM: the checkpoint is kept
  bool finding = false;
  uint64_t finding_index = 0;  // among the scope's representatives
  Program finding_program;     // the representative that showed it
  ExploreResult explored;      // explore() of it: signature, schedule
  std::string error;           // one line
};

// `progress` is called after each Program is done and at the end (it
// decides how often to show anything).
SweepResult sweep(const SweepOptions &o,
                  const std::function<void(const SweepProgress &)> &progress);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_VERIFY_SWEEP_H_
