// minimize: delta debugging of a Program while a predicate holds.
//
// Pure over an injected predicate ("does this Program still show the
// finding, with the same signature?"). Drops whole threads, then operations
// (ddmin, then one at a time), then switch decisions; simplifies what is
// left (no fault injection, no lowered limit, no policy, fewer privileges,
// smaller arguments, earlier passes); repeats until nothing changes, so the
// result is 1-minimal: removing any single operation or switch loses the
// finding. A final pass removes byte records from the encoding, which catches
// what the Program level cannot express as one step.
//
// With a FindSchedule (exploration), a smaller Program whose recorded
// schedule no longer shows the finding is kept when some other schedule of
// its operations within the bound does: an operation that only carried the
// schedule goes. When the loop is done, the fewest-preemption schedule the
// search finds replaces the Program's when it has fewer switches. A
// fault-injected finding also tries two changes at once: a clone flag off
// together with another failing allocation (one flag fewer is one
// allocation fewer, so neither change alone keeps the finding).
#ifndef NSFUZZ_FUZZERS_TRIAGE_MINIMIZE_H_
#define NSFUZZ_FUZZERS_TRIAGE_MINIMIZE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "fuzzers/exec/schedule.h"
#include "fuzzers/program/program.h"

namespace nsfuzz {

using StillFails = std::function<bool(const Program &)>;

// Optional: the schedule points a run of the Program passes (schedule.h).
// With them, removing an op also re-anchors its thread's later switches
// (drop_ops), so that they keep landing where they did.
using StepsOf = std::function<std::vector<Step>(const Program &)>;

// Optional: a schedule of the Program's operations within a bound that
// shows the finding, fewest preemptions first, as the Program with that
// schedule (anchored switches); none when there is none.
using FindSchedule = std::function<std::optional<Program>(const Program &)>;

// Optional: true once the minimizer must stop (a budget spent). Asked
// before each predicate evaluation and search; from then on no candidate
// is tried, and the smallest Program kept so far, which still fails, is
// the result.
using OutOfBudget = std::function<bool()>;

struct MinimizeStats {
  uint64_t tries = 0;     // predicate evaluations
  uint64_t searches = 0;  // FindSchedule calls
  int rounds = 0;
  bool cut_short = false;  // out_of_budget stopped it: not 1-minimal
};

// `p` is v2 (triage writes a v1 schedule out first): switches are anchors.
Program minimize(const Program &p, const StillFails &still_fails,
                 MinimizeStats *stats = nullptr,
                 const StepsOf &steps_of = nullptr,
                 const FindSchedule &find_schedule = nullptr,
                 const OutOfBudget &out_of_budget = nullptr);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_TRIAGE_MINIMIZE_H_
