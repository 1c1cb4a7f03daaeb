// Footprints: what a step touched, and when two steps depend on each other.
#ifndef NSFUZZ_FUZZERS_EXPLORE_FOOTPRINT_H_
#define NSFUZZ_FUZZERS_EXPLORE_FOOTPRINT_H_

#include <cstdint>

#include "fuzzers/exec/executor.h"

namespace nsfuzz {

// What a step that ran touched: the objects of the points it started and
// ended at and those it touched in between (sched_access). A step that
// starts or ends at a point with no object (the RCU state), is a thread's
// first (from no point) or touched too many counts as touching everything.
struct Footprint {
  const void *objs[kMaxTouched + 2];
  int n = 0;
  bool all = false;
  void add(const void *o) {
    if (!o) {
      all = true;
      return;
    }
    for (int i = 0; i < n; ++i)
      if (objs[i] == o) return;
    objs[n++] = o;
  }
};

// Two steps of different threads depend on each other when their
// footprints share an object.
inline bool dependent(const Footprint &a, const Footprint &b) {
  if (a.all || b.all) return true;
  for (int i = 0; i < a.n; ++i)
    for (int j = 0; j < b.n; ++j)
      if (a.objs[i] == b.objs[j]) return true;
  return false;
}

// The footprint of the step the running thread of `c` just ran from `from`.
inline Footprint step_footprint(const ThreadView &from, const Choice &c) {
  Footprint f;
  if (!from.started) f.all = true;
  f.add(from.obj);
  if (c.touched_n < 0) f.all = true;
  for (int i = 0; i < c.touched_n; ++i) f.add(c.touched[i]);
  // Where it stands now, unless it finished (no point ends that step).
  if (c.kind != Choice::finished) f.add(c.threads[c.running].obj);
  return f;
}

// A step's footprint, and its level in the run's Foata normal form.
struct RanStep {
  Footprint v;
  uint32_t level;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_FOOTPRINT_H_
