// The explorer's records: typed encoding of the kinds of RecordKind
// (schedule.h) that the executor skips.
//
// They let the parent follow a search a child runs, and go on with it in a
// new child after a finding of another signature. The stream: 'X' a
// schedule starts (its number); then, in the order they happen, the
// executor's decisions and: 'N' a node of the tree (the path as it stands
// at the start of the run, then each new one); 'O' a pick where a thread
// blocked or finished (the thread, the runnable ones: it outranks the
// others); 'T' a step starts (its thread and nodes); 'F' the footprint of
// the step that ended (objects as numbers of the run); 'V' the tree was cut
// short. Then 'R' and 'H': the run ended (sleep-blocked, its trace class).
// 'E': the search ended (complete). All go through one RecordBuffer, in
// memory the child shares with the parent (explore.cc).
#ifndef NSFUZZ_FUZZERS_EXPLORE_RECORDS_H_
#define NSFUZZ_FUZZERS_EXPLORE_RECORDS_H_

#include <cstdint>

#include "fuzzers/exec/schedule.h"
#include "fuzzers/explore/tree.h"

namespace nsfuzz {

// kind, a flag byte, then a 32-bit value (bytes 4-7).
Record make_record(RecordKind kind, uint8_t flag, uint32_t value);
uint32_t record_value(const uint8_t *r);
inline RecordKind record_kind(const uint8_t *r) {
  return static_cast<RecordKind>(r[0]);
}

// 'N': each set of threads fits a byte (kMaxThreads).
Record node_record(const Node &n);
Node read_node(const uint8_t *r);

// 'T': the step's thread, the node that chose it and the last before it.
Record step_start_record(int thread, int node, int last_node);
RanStepRecord read_step_start(const uint8_t *r);

// 'F': whether the step touched everything, and up to kIdsPerRecord of
// its objects' numbers (1..255) in the run; a footprint takes as many
// records as it needs, at least one. add_footprint reads one into s: the
// first of a step clears its "touched everything".
inline constexpr int kIdsPerRecord = 5;
Record footprint_record(bool all, const uint8_t *ids, int n);
void add_footprint(const uint8_t *r, bool first, RanStepRecord &s);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_RECORDS_H_
