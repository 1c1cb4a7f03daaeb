// The schedule a run took, as data: each context switch the executor made
// and why, and (when asked) each schedule point each thread passed.
//
// The executor records these as values; printers render them; nothing
// parses them back from text. A child process hands them to its parent as
// fixed-size binary records on a file descriptor (write_record /
// read_records), written as they happen, so a run that a finding ends
// still tells what it did up to there.
#ifndef NSFUZZ_FUZZERS_EXEC_SCHEDULE_H_
#define NSFUZZ_FUZZERS_EXEC_SCHEDULE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzzers/program/program.h"

namespace nsfuzz {

enum class Reason : uint8_t {
  explicit_switch,  // the Program's switch at this anchor
  preemption,       // a PCT change point of the Program's policy
  blocked,          // the running thread cannot go on (lock, grace period)
  finished,         // the running thread ran its last operation
};
const char *reason_name(Reason r);

// "at.thread was at `at` and handed the CPU to `to`, because `why`". For
// blocked, `at` is the blocking site and its pass; for finished, the last
// point the thread passed (nth 0 when it passed none).
struct Decision {
  Anchor at;
  int to = 0;
  Reason why{};
  bool operator==(const Decision &) const = default;
};

// One schedule point passed by the run of Program op `op` (index into ops).
struct Step {
  Anchor at;
  int op = -1;
  bool operator==(const Step &) const = default;
};

struct Schedule {
  std::vector<Decision> decisions;
  std::vector<Step> steps;  // empty unless steps were recorded
};

// "switch to T2 (explicit, T1@switch_put_old#1)".
std::string print_decision(const Decision &d);

// `p` with the schedule its run took written out: every explicit switch and
// preemption of `decisions` (from a run of `p`) becomes an anchored switch,
// the policy keeps its priorities and loses its change points, and the
// format is v2. The caller checks the result replays the same way: after a
// preemption a thread's lowered priority is not carried over.
Program with_schedule(const Program &p, const std::vector<Decision> &decisions);

// `p` without ops [first, last), with each later switch of their thread
// anchored where it was: its pass count less the passes of the same site
// that the removed ops made (from `steps`, a run of `p`). Switches anchored
// inside the removed ops are dropped.
Program drop_ops(const Program &p, size_t first, size_t last,
                 const std::vector<Step> &steps);

// The binary records: 8 bytes each, the first byte their kind, raw_write'n
// by the executor or kept in a RecordBuffer. One namespace of kinds: the
// executor's, and the explorer's (fuzzers/explore/records.h), which
// read_records skips.
inline constexpr size_t kRecordSize = 8;
using Record = std::array<char, kRecordSize>;
enum class RecordKind : char {
  decision = 'D',    // the executor's: a context switch
  step = 'S',        // the executor's: a schedule point passed
  schedule = 'X',    // the explorer's, from here on: a schedule starts
  node = 'N',        // a node of the tree
  pick = 'O',        // a free pick where a thread blocked or finished
  step_start = 'T',  // a step starts: its thread and nodes
  footprint = 'F',   // what the step that ended touched
  cut_short = 'V',   // the tree was cut short: a run too long to follow
  run_end = 'R',     // a run ended: sleep-blocked, its trace class (low)
  run_class = 'H',   // its trace class (high)
  search_end = 'E',  // the search ended: complete or not
};
Record decision_record(const Decision &d);
Record step_record(const Step &s);
void write_decision(int fd, const Decision &d);
void write_step(int fd, const Step &s);

// Records on their way to `fd`, kept in memory until the buffer is full
// or flush() is called: one write for thousands of records instead of one
// each. A parent that shares the buffer's memory with a child (mmap) reads
// what a child that died had not written yet from `recs[0, n)`.
// Without an fd, nothing may overflow it: put() on a full buffer aborts.
struct RecordBuffer {
  static constexpr size_t kCapacity = 1 << 16;
  int fd = -1;  // where full buffers go; -1: none
  size_t n = 0;
  Record recs[kCapacity];
  void put(const Record &r) {
    if (n == kCapacity) flush();
    recs[n++] = r;
  }
  void flush();  // writes recs[0, n) to fd, or aborts if full without one
};
// Every whole record in `bytes`, in order; anything else is skipped.
Schedule read_records(const std::string &bytes);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXEC_SCHEDULE_H_
