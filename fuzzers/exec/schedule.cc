// Decisions and steps: printing, the schedule written out, and the records.
#include "fuzzers/exec/schedule.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "fuzzers/exec/handoff.h"
#include "fuzzers/program/program_text.h"

namespace nsfuzz {

const char *reason_name(Reason r) {
  switch (r) {
    case Reason::explicit_switch: return "explicit";
    case Reason::preemption: return "preempted";
    case Reason::blocked: return "blocked";
    case Reason::finished: return "finished";
  }
  return "?";
}

std::string print_decision(const Decision &d) {
  std::string t = "T" + std::to_string(d.at.thread);
  std::string out = "switch to T" + std::to_string(d.to) + " (";
  switch (d.why) {
    case Reason::explicit_switch:
    case Reason::preemption:
      return out + reason_name(d.why) + ", " + print_anchor(d.at) + ")";
    case Reason::blocked:
      return out + t + " blocked in " + std::string(site_name(d.at.site)) +
             "#" + std::to_string(d.at.nth) + ")";
    case Reason::finished: return out + t + " finished)";
  }
  return out + "?)";
}

Program with_schedule(const Program &p,
                      const std::vector<Decision> &decisions) {
  Program c = p;
  c.format = kFormatV2;
  c.step_switches.clear();
  c.switches.clear();
  std::fill(std::begin(c.policy.preempt), std::end(c.policy.preempt), 0);
  c.policy.conflicts = false;
  for (const Decision &d : decisions) {
    if (d.why != Reason::explicit_switch && d.why != Reason::preemption)
      continue;
    if (c.switches.size() == static_cast<size_t>(kMaxSwitches)) break;
    bool repeat = std::any_of(c.switches.begin(), c.switches.end(),
                              [&](const Switch &s) { return s.at == d.at; });
    if (!repeat && d.to != d.at.thread) c.switches.push_back({d.at, d.to});
  }
  return c;
}

Program drop_ops(const Program &p, size_t first, size_t last,
                 const std::vector<Step> &steps) {
  Program c = p;
  c.ops.erase(c.ops.begin() + first, c.ops.begin() + last);
  c.switches.clear();
  auto removed = [&](int op) {
    return op >= static_cast<int>(first) && op < static_cast<int>(last);
  };
  for (Switch s : p.switches) {
    uint32_t gone = 0;
    bool inside = false;
    for (const Step &st : steps) {
      if (st.at.thread != s.at.thread || st.at.site != s.at.site) continue;
      if (st.at.nth == s.at.nth) inside = removed(st.op);
      if (st.at.nth < s.at.nth && removed(st.op)) ++gone;
    }
    if (inside) continue;
    s.at.nth -= gone;
    c.switches.push_back(s);
  }
  return c;
}

namespace {

// kind, thread, site, to-or-reason, then the pass (decision) or op (step).
constexpr uint8_t kDecisionRecord = static_cast<uint8_t>(RecordKind::decision),
                  kStepRecord = static_cast<uint8_t>(RecordKind::step);

Record make(uint8_t kind, const Anchor &a, uint8_t extra, uint32_t value) {
  Record rec = {static_cast<char>(kind), static_cast<char>(a.thread),
                static_cast<char>(a.site), static_cast<char>(extra)};
  std::memcpy(rec.data() + 4, &value, 4);
  return rec;
}

}  // namespace

Record decision_record(const Decision &d) {
  // The pass fits 16 bits (kMaxNth), the reason 4 and the thread 4.
  return make(kDecisionRecord, d.at,
              static_cast<uint8_t>(d.to | static_cast<int>(d.why) << 4),
              d.at.nth);
}

Record step_record(const Step &s) {
  return make(kStepRecord, s.at, 0,
              (static_cast<uint32_t>(s.op + 1) << 16) | (s.at.nth & 0xffff));
}

void write_decision(int fd, const Decision &d) {
  raw_write(fd, decision_record(d).data(), kRecordSize);
}

void write_step(int fd, const Step &s) {
  raw_write(fd, step_record(s).data(), kRecordSize);
}

void RecordBuffer::flush() {
  if (fd < 0 && n == kCapacity) {
    static const char msg[] = "RecordBuffer: full, and no fd to flush to\n";
    raw_write(2, msg, sizeof msg - 1);
    std::abort();
  }
  if (fd >= 0 && n > 0) raw_write(fd, recs[0].data(), n * kRecordSize);
  n = 0;
}

Schedule read_records(const std::string &bytes) {
  Schedule out;
  for (size_t i = 0; i + kRecordSize <= bytes.size(); i += kRecordSize) {
    const auto *r = reinterpret_cast<const uint8_t *>(bytes.data() + i);
    uint32_t value;
    std::memcpy(&value, r + 4, 4);
    if (r[2] >= kNumSites || r[1] < 1 || r[1] > kMaxThreads) continue;
    Anchor a{r[1], static_cast<Site>(r[2]), value};
    if (r[0] == kDecisionRecord && (r[3] >> 4) <= 3) {
      out.decisions.push_back({a, r[3] & 15, static_cast<Reason>(r[3] >> 4)});
    } else if (r[0] == kStepRecord) {
      a.nth = value & 0xffff;
      out.steps.push_back({a, static_cast<int>(value >> 16) - 1});
    }
  }
  return out;
}

}  // namespace nsfuzz
