// The search loop: schedule after schedule of the tree on one Executor,
// and the stats of the schedules run, kept alike here and in the parent.
#ifndef NSFUZZ_FUZZERS_EXPLORE_SEARCH_H_
#define NSFUZZ_FUZZERS_EXPLORE_SEARCH_H_

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "fuzzers/exec/executor.h"
#include "fuzzers/exec/schedule.h"
#include "fuzzers/explore/explore.h"
#include "fuzzers/explore/tree.h"
#include "fuzzers/program/fnv.h"

namespace nsfuzz {

// The stats of the schedules run so far, kept the same way by a search in
// this process and by the parent from a child's records.
struct Tally {
  ExploreStats st{.hash = kFnvOffset};
  std::unordered_set<uint64_t> classes;
  // A schedule ran (a finding may have ended it).
  void ran(const ExploredSchedule &s) {
    ++st.schedules;
    st.hash = fnv_mix(st.hash, s.seed);
    for (const Decision &d : s.decisions)
      st.hash = fnv_mix(
          fnv_mix(
              fnv_mix(st.hash, d.at.thread * 64 + static_cast<int>(d.at.site)),
              d.at.nth),
          d.to * 8 + static_cast<int>(d.why));
  }
  // It ran to its end: its trace class counts.
  void ended(uint64_t trace_class, bool sleep_blocked) {
    st.sleep_blocked += sleep_blocked;
    classes.insert(trace_class);
    st.classes = classes.size();
  }
};

// Where a search that a finding ended goes on: the stats with that
// schedule, the tree as its run left it, and the steps that run made.
struct Resume {
  Tally tally;
  std::vector<Node> path;
  std::vector<RanStepRecord> steps;
  bool overflow = false;
};

// records: the buffer the records go through on their way to record_fd
// (shared with the parent), or nullptr (a private one). Flushed at the end.
ExploreStats search(Executor &e, const Program &p, const ExploreOptions &o,
                    int record_fd, std::vector<ExploredSchedule> *log,
                    const Resume *from, RecordBuffer *records = nullptr);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_SEARCH_H_
