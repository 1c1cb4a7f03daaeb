// The triage stages.
#include "fuzzers/triage/triage.h"

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

Program make_schedule_explicit(Runner &runner, const Program &p,
                               const Signature &sig) {
  Program c = with_schedule(p, runner.run(p).schedule.decisions);
  if (c == p) return p;
  RunOutcome o = runner.run(c);
  return o.finding && o.finding->str() == sig.str() ? c : p;
}

Program minimize_finding(Runner &runner, const Program &p, const Signature &sig,
                         MinimizeStats *stats,
                         const OutOfBudget &out_of_budget) {
  return minimize(
      p,
      [&](const Program &candidate) {
        RunOutcome o = runner.run(candidate);
        return o.finding && o.finding->str() == sig.str();
      },
      stats,
      [&](const Program &current) {
        return runner.run_traced(current).schedule.steps;
      },
      [&](const Program &candidate) {
        return runner.schedule_showing(candidate, sig);
      },
      out_of_budget);
}

TriageResult triage(Runner &runner, const Program &p, int confirm_runs,
                    const std::map<std::string, std::string> &known,
                    const OutOfBudget &out_of_budget) {
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
  r.minimized = minimize_finding(runner, explicit_p, *r.confirmation.signature,
                                 &r.stats, out_of_budget);
  return r;
}

}  // namespace nsfuzz
