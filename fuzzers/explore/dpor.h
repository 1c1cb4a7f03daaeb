// DPOR (Flanagan and Godefroid, POPL'05), bounded as Coons, Musuvathi and
// McKinley bound it (OOPSLA'13): after a run, where to try which thread.
//
// A race of the run: a step j and an earlier step i of another thread that
// j depends on (footprint.h), with no step between them that i happens
// before and that happens before j (vector clocks). Its reversal is tried
// by running j's thread first where i's step was chosen, and where the
// block of i's thread holding i began (from there the reversed order can
// need one preemption fewer). Every race, not only the latest before j:
// with a bound, the run that reverses the latest may need a preemption too
// many to show the others. Where that moment is no choice (a policy pick,
// or the bound was spent) or j's thread cannot go first there, the nearest
// choice before it where it can; where it could not run at all (blocked),
// every thread that could is tried there too, and j's thread still earlier.
#ifndef NSFUZZ_FUZZERS_EXPLORE_DPOR_H_
#define NSFUZZ_FUZZERS_EXPLORE_DPOR_H_

#include <cstddef>
#include <vector>

#include "fuzzers/explore/footprint.h"
#include "fuzzers/explore/tree.h"

namespace nsfuzz {

// The run's m steps (events[k] and steps[k]): adds each race's reversal to
// the todo sets of `path`.
void add_backtracks(const Event *events, const RanStep *steps, size_t m,
                    std::vector<Node> &path);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_DPOR_H_
