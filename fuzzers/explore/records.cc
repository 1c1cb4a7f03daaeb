// The explorer's record codec (see records.h).
#include "fuzzers/explore/records.h"

#include <algorithm>
#include <cstring>

namespace nsfuzz {

Record make_record(RecordKind kind, uint8_t flag, uint32_t value) {
  Record rec = {static_cast<char>(kind), static_cast<char>(flag)};
  std::memcpy(rec.data() + 4, &value, 4);
  return rec;
}

uint32_t record_value(const uint8_t *r) {
  uint32_t value;
  std::memcpy(&value, r + 4, 4);
  return value;
}

Record node_record(const Node &n) {
  return {static_cast<char>(RecordKind::node), static_cast<char>(n.chosen),
          static_cast<char>(n.todo),           static_cast<char>(n.done),
          static_cast<char>(n.enabled),        static_cast<char>(n.runnable),
          static_cast<char>(n.asleep),         0};
}

Node read_node(const uint8_t *r) {
  return {r[1] % (kMaxThreads + 1), r[2], r[3], r[4], r[5], r[6]};
}

Record step_start_record(int thread, int node, int last_node) {
  Record rec = {static_cast<char>(RecordKind::step_start),
                static_cast<char>(thread)};
  int16_t nodes[2] = {static_cast<int16_t>(node),
                      static_cast<int16_t>(last_node)};
  std::memcpy(rec.data() + 4, nodes, 4);
  return rec;
}

RanStepRecord read_step_start(const uint8_t *r) {
  int16_t nodes[2];
  std::memcpy(nodes, r + 4, 4);
  return {r[1], nodes[0], nodes[1], true, {}};
}

Record footprint_record(bool all, const uint8_t *ids, int n) {
  n = std::clamp(n, 0, kIdsPerRecord);
  Record rec = {static_cast<char>(RecordKind::footprint), all,
                static_cast<char>(n)};
  for (int k = 0; k < n; ++k) rec[3 + k] = static_cast<char>(ids[k]);
  return rec;
}

void add_footprint(const uint8_t *r, bool first, RanStepRecord &s) {
  if (first) s.all = false;
  s.all |= r[1] != 0;
  for (int k = 0; k < r[2] && k < kIdsPerRecord; ++k)
    s.objs.push_back(r[3 + k]);
}

}  // namespace nsfuzz
