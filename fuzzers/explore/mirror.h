// The parent's copy of a child's search, from its records (records.h):
// the stats of the schedules that ran to their end, and the one running.
#ifndef NSFUZZ_FUZZERS_EXPLORE_MIRROR_H_
#define NSFUZZ_FUZZERS_EXPLORE_MIRROR_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fuzzers/explore/priority.h"
#include "fuzzers/explore/search.h"
#include "fuzzers/explore/tree.h"

namespace nsfuzz {

class Mirror {
 public:
  Mirror(int threads, const std::vector<uint8_t> &seeds, Tally from)
      : threads_(threads), seeds_(seeds), tally_(std::move(from)) {}

  // One record of the child's, in the order it wrote them.
  void read(const uint8_t *r);

  bool ended() const { return ended_; }
  // The stats of the schedules that ran to their end.
  ExploreStats stats() const {
    ExploreStats st = tally_.st;
    st.complete = complete_;
    return st;
  }
  // The schedule the child ran last, up to where it stopped.
  ExploredSchedule current() const {
    return {seed_for(outranks_, threads_, seeds_),
            read_records(since_).decisions};
  }
  // The search after the current schedule, which a finding ended.
  Resume after_finding() const {
    Resume r{tally_, path_, steps_, overflow_};
    r.tally.ran(current());
    return r;
  }

 private:
  int threads_;
  const std::vector<uint8_t> &seeds_;
  Tally tally_;
  bool ended_ = false, complete_ = false, overflow_ = false;
  // The current schedule.
  std::string since_;
  uint32_t outranks_[kMaxThreads + 1] = {};
  std::vector<Node> path_;
  std::vector<RanStepRecord> steps_;
  bool got_footprint_ = false;
  uint32_t class_ = 0;
  bool blocked_ = false;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_MIRROR_H_
