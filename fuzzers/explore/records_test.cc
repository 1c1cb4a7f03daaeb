#include "fuzzers/explore/records.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace nsfuzz {
namespace {

const uint8_t *bytes(const Record &r) {
  return reinterpret_cast<const uint8_t *>(r.data());
}

TEST(RecordsTest, KindsAndValuesRoundTrip) {
  Record r = make_record(RecordKind::pick, 3, 0xdeadbeef);
  EXPECT_EQ(record_kind(bytes(r)), RecordKind::pick);
  EXPECT_EQ(bytes(r)[1], 3);
  EXPECT_EQ(record_value(bytes(r)), 0xdeadbeefu);

  Node n{.chosen = 2,
         .todo = 0b1010,
         .done = 0b0100,
         .enabled = 0b1110,
         .runnable = 0b11110,
         .asleep = 0b1000};
  Node m = read_node(bytes(node_record(n)));
  EXPECT_EQ(m.chosen, 2);
  EXPECT_EQ(m.todo, n.todo);
  EXPECT_EQ(m.done, n.done);
  EXPECT_EQ(m.enabled, n.enabled);
  EXPECT_EQ(m.runnable, n.runnable);
  EXPECT_EQ(m.asleep, n.asleep);

  RanStepRecord s = read_step_start(bytes(step_start_record(3, -1, 4095)));
  EXPECT_EQ(s.thread, 3);
  EXPECT_EQ(s.node, -1);
  EXPECT_EQ(s.last_node, 4095);
  EXPECT_TRUE(s.all);  // until its footprint comes
}

// A footprint of 7 objects takes two records; the first clears "touched
// everything", a record that says "all" sets it again.
TEST(RecordsTest, FootprintsSpanRecords) {
  const uint8_t ids[7] = {1, 2, 3, 4, 5, 6, 7};
  RanStepRecord s = read_step_start(bytes(step_start_record(1, 0, 0)));
  add_footprint(bytes(footprint_record(false, ids, 7)), true, s);
  add_footprint(bytes(footprint_record(false, ids + kIdsPerRecord, 2)), false,
                s);
  EXPECT_FALSE(s.all);
  EXPECT_EQ(s.objs, std::vector<uint8_t>(ids, ids + 7));
  add_footprint(bytes(footprint_record(true, ids, 0)), false, s);
  EXPECT_TRUE(s.all);
}

// The executor's records keep their own kinds: read_records skips ours.
TEST(RecordsTest, TheExecutorSkipsOurKinds) {
  std::string stream;
  for (RecordKind k :
       {RecordKind::schedule, RecordKind::node, RecordKind::pick,
        RecordKind::step_start, RecordKind::footprint, RecordKind::cut_short,
        RecordKind::run_end, RecordKind::run_class, RecordKind::search_end}) {
    Record r = make_record(k, 1, 1);
    r[2] = 0;  // a valid site: only the kind keeps it out
    stream.append(r.data(), r.size());
  }
  Schedule s = read_records(stream);
  EXPECT_TRUE(s.decisions.empty());
  EXPECT_TRUE(s.steps.empty());
}

// Past its capacity a buffer with an fd writes everything, in order; one
// without an fd fails loudly rather than drop what a reader needs.
TEST(RecordsTest, CapacityFlushesOrFailsLoudly) {
  std::string path = ::testing::TempDir() + "/records-XXXXXX";
  int fd = mkstemp(path.data());
  ASSERT_GE(fd, 0);
  auto buf = std::make_unique<RecordBuffer>();
  buf->fd = fd;
  const uint32_t n = 2 * RecordBuffer::kCapacity + 10;
  for (uint32_t i = 0; i < n; ++i)
    buf->put(make_record(RecordKind::node, 0, i));
  buf->flush();
  std::string got(size_t{n} * kRecordSize + 1, '\0');
  ASSERT_EQ(pread(fd, got.data(), got.size(), 0),
            static_cast<ssize_t>(size_t{n} * kRecordSize));
  close(fd);
  unlink(path.c_str());
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(record_value(reinterpret_cast<const uint8_t *>(
                  got.data() + size_t{i} * kRecordSize)),
              i);

  EXPECT_DEATH(
      {
        auto lone = std::make_unique<RecordBuffer>();
        for (size_t i = 0; i <= RecordBuffer::kCapacity; ++i)
          lone->put(make_record(RecordKind::node, 0, 0));
      },
      "RecordBuffer: full, and no fd to flush to");
}

}  // namespace
}  // namespace nsfuzz
