// The parent's copy of a child's search (see mirror.h).
#include "fuzzers/explore/mirror.h"

#include <algorithm>
#include <iterator>

#include "fuzzers/explore/records.h"

namespace nsfuzz {

void Mirror::read(const uint8_t *r) {
  uint32_t value = record_value(r);
  switch (record_kind(r)) {
    case RecordKind::schedule:
      since_.clear(), path_.clear(), steps_.clear();
      std::fill(std::begin(outranks_), std::end(outranks_), 0);
      break;
    case RecordKind::node: path_.push_back(read_node(r)); break;
    case RecordKind::pick:
      note_pick(outranks_, r[1] % (kMaxThreads + 1), value);
      break;
    case RecordKind::step_start:
      steps_.push_back(read_step_start(r));
      got_footprint_ = false;
      break;
    case RecordKind::footprint:
      if (steps_.empty()) break;
      add_footprint(r, !got_footprint_, steps_.back());
      got_footprint_ = true;
      break;
    case RecordKind::run_end: class_ = value, blocked_ = r[1] != 0; break;
    case RecordKind::run_class:
      tally_.ran(current());
      tally_.ended(class_ | static_cast<uint64_t>(value) << 32, blocked_);
      break;
    case RecordKind::cut_short: overflow_ = true; break;
    case RecordKind::search_end: ended_ = true, complete_ = r[1] != 0; break;
    default:  // the executor's
      since_.append(reinterpret_cast<const char *>(r), kRecordSize);
  }
}

}  // namespace nsfuzz
