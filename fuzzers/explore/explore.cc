// The bounded explorer (see explore.h): the Programs it runs, and the
// child process that runs the search (search.h) and dies of a finding.
#include "fuzzers/explore/explore.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <optional>

#include "fuzzers/exec/handoff.h"
#include "fuzzers/explore/mirror.h"
#include "fuzzers/explore/priority.h"
#include "fuzzers/explore/records.h"
#include "fuzzers/explore/search.h"
#include "fuzzers/triage/signature.h"
#include "fuzzers/triage/subprocess.h"

namespace nsfuzz {

Program exploration_base(const Program &p) {
  Program b = p;
  b.format = kFormatV2;
  b.switches.clear();
  b.step_switches.clear();
  b.policy = Policy{};
  return b;
}

Program schedule_program(const Program &p, const ExploredSchedule &s) {
  Program b = exploration_base(p);
  b.policy.priorities = s.seed;
  return with_schedule(b, s.decisions);
}

namespace {

// Runs `body` in a child process (subprocess.h) whose stdout is /dev/null;
// each whole record it writes to kChildDataFd goes to on_record as it
// comes. "" or why it could not start.
template <typename Body, typename OnRecord>
std::string in_child(const ExploreOptions &o, Body body, OnRecord on_record,
                     ChildExit *out) {
  std::string partial;  // a record cut in two by a read
  return run_child(
      {.stdout_to_report = false, .timeout_seconds = o.timeout_seconds}, body,
      [&](const char *data, size_t n) {
        partial.append(data, n);
        size_t whole = partial.size() / kRecordSize * kRecordSize;
        for (size_t at = 0; at < whole; at += kRecordSize)
          on_record(reinterpret_cast<const uint8_t *>(partial.data() + at));
        partial.erase(0, whole);
      },
      out);
}

}  // namespace

ExploreResult explore(const Program &p, const ExploreOptions &o) {
  ExploreResult res;
  const std::vector<uint8_t> seeds = order_seeds(p.threads);
  // The records of the run going on, in memory the children write and this
  // process reads when one dies.
  void *shared = mmap(nullptr, sizeof(RecordBuffer), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    res.error = std::string("cannot map memory: ") + std::strerror(errno);
    return res;
  }
  std::unique_ptr<void, void (*)(void *)> unmap(
      shared, [](void *a) { munmap(a, sizeof(RecordBuffer)); });
  RecordBuffer *records = new (shared) RecordBuffer;
  std::optional<Resume> from;
  for (;;) {
    Mirror m(p.threads, seeds, from ? from->tally : Tally{});
    records->n = 0;
    ChildExit end;
    std::string why = in_child(
        o,
        [&] {
          const int fd = kChildDataFd;
          Executor e;
          ExploreStats st =
              search(e, p, o, fd, nullptr, from ? &*from : nullptr, records);
          Record last = make_record(RecordKind::search_end, st.complete, 0);
          raw_write(fd, last.data(), kRecordSize);
        },
        [&](const uint8_t *r) { m.read(r); }, &end);
    if (!why.empty()) {
      res.error = "cannot start a child: " + why;
      return res;
    }
    res.stats = m.stats();
    if (end.timed_out) {  // what it ran, not complete
      res.timed_out = true;
      res.stats.complete = false;
      return res;
    }
    if (m.ended() && WIFEXITED(end.status) && WEXITSTATUS(end.status) == 0)
      return res;
    // The dead run's records that never reached the pipe.
    for (size_t i = 0; i < std::min(records->n, RecordBuffer::kCapacity); ++i)
      m.read(reinterpret_cast<const uint8_t *>(records->recs[i].data()));
    from = m.after_finding();
    res.stats = from->tally.st;
    std::optional<Signature> sig = signature_of(end.report);
    if (!o.signature.empty() && sig && sig->str() != o.signature) {
      // Another finding: count it, and go on after its schedule.
      if (res.other_findings++ == 0)
        res.other_signature = sig->str(), res.other_report = end.report;
      continue;
    }
    res.finding = true;
    res.report = end.report;
    if (sig) res.signature = sig->str();
    res.program = schedule_program(p, m.current());
    break;
  }
  // Once more, alone, in a fresh child.
  Program again = res.program;
  ChildExit check;
  std::string why = in_child(
      o,
      [&] {
        Executor e;
        RunOptions ro;
        ro.bug = o.bug;
        e.run(again, ro);
      },
      [](const uint8_t *) {}, &check);
  if (why.empty() && !check.timed_out && !res.signature.empty()) {
    std::optional<Signature> sig = signature_of(check.report);
    res.replayed = sig && sig->str() == res.signature;
  }
  return res;
}

}  // namespace nsfuzz
