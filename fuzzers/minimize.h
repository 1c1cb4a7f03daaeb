// minimize: delta debugging of a Program while a predicate holds.
//
// Pure over an injected predicate ("does this Program still show the
// finding, with the same signature?"). Drops whole threads, then operations
// (ddmin, then one at a time), then switch decisions; simplifies what is
// left (no fault injection, no PCT seed, fewer privileges, smaller
// arguments); repeats until nothing changes, so the result is 1-minimal:
// removing any single operation or switch loses the finding. A final pass
// removes byte records from the encoding, which catches what the Program
// level cannot express as one step.
#ifndef NSFUZZ_FUZZERS_MINIMIZE_H_
#define NSFUZZ_FUZZERS_MINIMIZE_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "fuzzers/program.h"

namespace nsfuzz {

using StillFails = std::function<bool(const Program &)>;

// Optional: for a Program, the op (index into p.ops) that owns each of its
// run's schedule points, in order (point k is element k-1; -1 for none).
// With it, removing an op also moves later switch points back by the points
// that op had, so that the switches keep landing where they did.
using PointOwners = std::function<std::vector<int>(const Program &)>;

struct MinimizeStats {
  uint64_t tries = 0;  // predicate evaluations
  int rounds = 0;
};

Program minimize(const Program &p, const StillFails &still_fails,
                 MinimizeStats *stats = nullptr,
                 const PointOwners &owners = nullptr);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_MINIMIZE_H_
