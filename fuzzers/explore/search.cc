// The search loop (see search.h) and the searches of explore.h that run in
// this process.
#include "fuzzers/explore/search.h"

#include <memory>
#include <optional>

#include "fuzzers/explore/depth_first.h"
#include "fuzzers/explore/mirror.h"
#include "fuzzers/explore/priority.h"
#include "fuzzers/explore/records.h"

namespace nsfuzz {

ExploreStats search(Executor &e, const Program &p, const ExploreOptions &o,
                    int record_fd, std::vector<ExploredSchedule> *log,
                    const Resume *from, RecordBuffer *records) {
  Tally t = from ? from->tally : Tally{};
  Program base = exploration_base(p);
  // They hold a run's steps and records: large, so one search leaves them
  // to the next (a sweep runs one per Program, and fresh memory costs a
  // page fault a page).
  struct Scratch {
    RecordBuffer records;
    std::optional<DepthFirst> dfs;
    bool busy = false;
  };
  static Scratch *spare = nullptr;
  std::unique_ptr<Scratch> own;
  Scratch *scratch = spare;
  if (!scratch || scratch->busy) {
    own = std::make_unique<Scratch>();
    scratch = own.get();
    if (!spare) spare = own.release();
  }
  scratch->busy = true;
  struct Release {
    Scratch *s;
    ~Release() { s->busy = false; }
  } release{scratch};
  if (!records) records = &scratch->records, records->n = 0;
  records->fd = record_fd;
  DepthFirst &dfs = scratch->dfs.emplace(o, record_fd, records);
  const std::vector<uint8_t> seeds = order_seeds(p.threads);
  // A resumed search goes on after the run a finding ended.
  bool more = true;
  if (from) {
    dfs.resume(from->path, from->steps, from->overflow);
    more = dfs.next();
  }
  for (; more; more = dfs.next()) {
    if (o.budget && t.st.schedules == o.budget) {
      records->flush();
      return t.st;
    }
    if (record_fd >= 0)
      records->put(make_record(RecordKind::schedule, 0,
                               static_cast<uint32_t>(t.st.schedules)));
    dfs.begin();
    RunOptions ro;
    ro.bug = o.bug;
    ro.chooser = &dfs;
    if (record_fd >= 0) ro.record_buffer = records;
    const RunResult &r = e.run(base, ro);
    ExploredSchedule s{seed_for(dfs.outranks(), p.threads, seeds),
                       r.schedule.decisions};
    t.ran(s);
    t.ended(dfs.trace_class(), dfs.sleep_blocked());
    if (record_fd >= 0) {  // the run's end
      uint64_t c = dfs.trace_class();
      records->put(make_record(RecordKind::run_end, dfs.sleep_blocked(),
                               static_cast<uint32_t>(c)));
      records->put(make_record(RecordKind::run_class, 0,
                               static_cast<uint32_t>(c >> 32)));
    }
    if (log) log->push_back(std::move(s));
  }
  records->flush();
  t.st.complete = !dfs.overflowed();
  return t.st;
}

ExploreStats explore_here(Executor &e, const Program &p,
                          const ExploreOptions &o, int record_fd,
                          std::vector<ExploredSchedule> *log) {
  return search(e, p, o, record_fd, log, nullptr);
}

ExploreStats explore_after(Executor &e, const Program &p,
                           const ExploreOptions &o, const std::string &records,
                           uint64_t n, std::vector<ExploredSchedule> *log) {
  const std::vector<uint8_t> seeds = order_seeds(p.threads);
  Mirror m(p.threads, seeds, Tally{});
  uint64_t started = 0;
  for (size_t at = 0; at + kRecordSize <= records.size(); at += kRecordSize) {
    const auto *r = reinterpret_cast<const uint8_t *>(records.data() + at);
    started += record_kind(r) == RecordKind::schedule;
    if (started == n + 1 && record_kind(r) == RecordKind::run_end)
      break;  // its last step ran
    m.read(r);
  }
  Resume from = m.after_finding();
  return search(e, p, o, -1, log, &from);
}

}  // namespace nsfuzz
