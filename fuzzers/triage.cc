// The triage stages.
#include "fuzzers/triage.h"

namespace nsfuzz {

const char *triage_status_name(TriageStatus s) {
  switch (s) {
    case TriageStatus::no_finding: return "no finding";
    case TriageStatus::flaky: return "flaky";
    case TriageStatus::duplicate: return "duplicate";
    case TriageStatus::fresh: return "new";
  }
  return "?";
}

Confirmation confirm(Runner &runner, const Program &p, int confirm_runs) {
  Confirmation c{TriageStatus::no_finding, std::nullopt, "", 0, 0};
  bool same = true;
  for (int i = 0; i < confirm_runs; ++i) {
    RunOutcome o = runner.run(p);
    ++c.runs;
    if (!o.finding) {
      same = false;
      continue;
    }
    ++c.with_finding;
    if (!c.signature) {
      c.signature = o.finding;
      c.report = o.report;
    } else if (o.finding->str() != c.signature->str()) {
      same = false;
    }
  }
  if (c.with_finding == 0)
    c.status = TriageStatus::no_finding;
  else
    c.status = same ? TriageStatus::fresh : TriageStatus::flaky;
  return c;
}

std::optional<std::string> dedup(
    const Signature &sig, const std::map<std::string, std::string> &known) {
  for (const auto &[name, s] : known)
    if (s == sig.str()) return name;
  return std::nullopt;
}

std::vector<Switch> schedule_from_trace(std::string_view story) {
  std::vector<Switch> out;
  uint32_t points = 0;
  bool after_point = false;
  while (!story.empty()) {
    size_t nl = story.find('\n');
    std::string_view line = story.substr(0, nl);
    story.remove_prefix(nl == std::string_view::npos ? story.size() : nl + 1);
    size_t colon = line.find(':');
    bool thread_line =
        line.size() > 1 && line[0] == 'T' && colon != std::string_view::npos;
    if (thread_line && line.substr(colon, 6) == ":     " &&
        line.find("BLOCKED", colon) == std::string_view::npos &&
        line.find("unblocked", colon) == std::string_view::npos) {
      ++points;
      after_point = true;
      continue;
    }
    const std::string_view kSwitch = "   --- switch to T";
    if (line.substr(0, kSwitch.size()) == kSwitch) {
      int t = line[kSwitch.size()] - '0';
      if (after_point && points > 0 && t >= 1 && t <= kMaxThreads &&
          out.size() < static_cast<size_t>(kMaxSwitches))
        out.push_back({points, t});
    }
    after_point = false;
  }
  return out;
}

std::vector<int> point_owners_from_trace(const Program &p,
                                         std::string_view story) {
  std::vector<std::vector<int>> ops_of(kMaxThreads + 1);
  for (size_t i = 0; i < p.ops.size(); ++i)
    ops_of[p.ops[i].thread].push_back(static_cast<int>(i));
  std::vector<size_t> next(kMaxThreads + 1, 0);
  std::vector<int> current(kMaxThreads + 1, -1), owners;
  while (!story.empty()) {
    size_t nl = story.find('\n');
    std::string_view line = story.substr(0, nl);
    story.remove_prefix(nl == std::string_view::npos ? story.size() : nl + 1);
    if (line.size() < 4 || line[0] != 'T' || line[2] != ':') continue;
    int t = line[1] - '0';
    if (t < 1 || t > kMaxThreads) continue;
    std::string_view rest = line.substr(3);
    if (rest.substr(0, 5) == "     ") {  // a point (or a block/unblock)
      if (rest.find("BLOCKED") == std::string_view::npos &&
          rest.find("unblocked") == std::string_view::npos)
        owners.push_back(current[t]);
    } else if (rest.substr(0, 3) != "   ") {  // an op begins
      current[t] = next[t] < ops_of[t].size() ? ops_of[t][next[t]++] : -1;
    }
  }
  return owners;
}

Program make_schedule_explicit(Runner &runner, const Program &p,
                               const Signature &sig) {
  if ((p.policy_seed & ~0xffu) == 0) return p;
  Program c = p;
  c.policy_seed = p.policy_seed & 0xff;  // the same priorities, no PCT points
  c.switches = schedule_from_trace(runner.run_traced(p).report);
  RunOutcome o = runner.run(c);
  return o.finding && o.finding->str() == sig.str() ? c : p;
}

Program minimize_finding(Runner &runner, const Program &p, const Signature &sig,
                         MinimizeStats *stats) {
  return minimize(
      p,
      [&](const Program &candidate) {
        RunOutcome o = runner.run(candidate);
        return o.finding && o.finding->str() == sig.str();
      },
      stats,
      [&](const Program &current) {
        return point_owners_from_trace(current,
                                       runner.run_traced(current).report);
      });
}

TriageResult triage(Runner &runner, const Program &p, int confirm_runs,
                    const std::map<std::string, std::string> &known) {
  TriageResult r;
  r.confirmation = confirm(runner, p, confirm_runs);
  r.status = r.confirmation.status;
  r.minimized = p;
  if (r.status != TriageStatus::fresh) return r;
  if (auto name = dedup(*r.confirmation.signature, known)) {
    r.status = TriageStatus::duplicate;
    r.duplicate_of = *name;
    return r;
  }
  Program explicit_p =
      make_schedule_explicit(runner, p, *r.confirmation.signature);
  r.minimized =
      minimize_finding(runner, explicit_p, *r.confirmation.signature, &r.stats);
  return r;
}

}  // namespace nsfuzz
