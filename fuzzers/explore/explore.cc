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

// Runs `body` in a child process whose stdout is /dev/null and whose
// stderr is returned; body gets the write end of the records pipe, and
// each whole record it writes goes to on_record as it comes.
struct ChildOutput {
  std::string err;
  int status = 0;
};
template <typename Body, typename OnRecord>
std::optional<ChildOutput> in_child(Body body, OnRecord on_record) {
  int rec[2], err[2];
  if (pipe(rec) != 0) return std::nullopt;
  if (pipe(err) != 0) {
    close(rec[0]), close(rec[1]);
    return std::nullopt;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    close(rec[0]), close(err[0]);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(err[1], 2);
    body(rec[1]);
    _exit(0);
  }
  close(rec[1]), close(err[1]);
  ChildOutput out;
  std::string records;  // a record cut in two by a read
  pollfd fds[2] = {{rec[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[1 << 16];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0 && i == 1) {
        out.err.append(buf, n);
      } else if (n > 0) {
        records.append(buf, n);
        size_t whole = records.size() / kRecordSize * kRecordSize;
        for (size_t at = 0; at < whole; at += kRecordSize)
          on_record(reinterpret_cast<const uint8_t *>(records.data() + at));
        records.erase(0, whole);
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  waitpid(pid, &out.status, 0);
  return out;
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
    std::optional<ChildOutput> out = in_child(
        [&](int fd) {
          Executor e;
          ExploreStats st =
              search(e, p, o, fd, nullptr, from ? &*from : nullptr, records);
          Record end = make_record(RecordKind::search_end, st.complete, 0);
          raw_write(fd, end.data(), kRecordSize);
        },
        [&](const uint8_t *r) { m.read(r); });
    if (!out) {
      res.error = std::string("cannot start a child: ") + std::strerror(errno);
      return res;
    }
    res.stats = m.stats();
    if (m.ended() && WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0)
      return res;
    // The dead run's records that never reached the pipe.
    for (size_t i = 0; i < std::min(records->n, RecordBuffer::kCapacity); ++i)
      m.read(reinterpret_cast<const uint8_t *>(records->recs[i].data()));
    from = m.after_finding();
    res.stats = from->tally.st;
    std::optional<Signature> sig = signature_of(out->err);
    if (!o.signature.empty() && sig && sig->str() != o.signature) {
      // Another finding: count it, and go on after its schedule.
      if (res.other_findings++ == 0)
        res.other_signature = sig->str(), res.other_report = out->err;
      continue;
    }
    res.finding = true;
    res.report = out->err;
    if (sig) res.signature = sig->str();
    res.program = schedule_program(p, m.current());
    break;
  }
  // Once more, alone, in a fresh child.
  Program again = res.program;
  std::optional<ChildOutput> check = in_child(
      [&](int) {
        Executor e;
        RunOptions ro;
        ro.bug = o.bug;
        e.run(again, ro);
      },
      [](const uint8_t *) {});
  if (check && !res.signature.empty()) {
    std::optional<Signature> sig = signature_of(check->err);
    res.replayed = sig && sig->str() == res.signature;
  }
  return res;
}

}  // namespace nsfuzz
