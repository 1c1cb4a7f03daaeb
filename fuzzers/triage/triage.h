// Triage: confirm, dedup and minimize a finding, over an injected runner.
//
// A straight chain of stages, each a function of its inputs and a Runner
// (the real one replays a Program in a child process; tests pass fakes):
//   confirm   run it `confirm_runs` times: no finding, the same signature
//             every time, or flaky (never committed silently);
//   dedup     against the signatures already committed;
//   explicit  the schedule the run took written out as anchored switches,
//             if it keeps the finding;
//   minimize  while the signature stays the same (fuzzers/triage/minimize.h).
// Writing the case is the caller's (fuzzers/triage/regression_case.h).
#ifndef NSFUZZ_FUZZERS_TRIAGE_TRIAGE_H_
#define NSFUZZ_FUZZERS_TRIAGE_TRIAGE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzzers/exec/schedule.h"
#include "fuzzers/program/program.h"
#include "fuzzers/triage/minimize.h"
#include "fuzzers/triage/signature.h"

namespace nsfuzz {

struct RunOutcome {
  std::optional<Signature> finding;
  std::string report;  // what the run printed
  Schedule schedule;   // the decisions it made; steps when recorded
};

class Runner {
 public:
  virtual ~Runner() = default;
  virtual RunOutcome run(const Program &p) = 0;
  // The same run, with the executor's story (trace) in the report and the
  // schedule points it passed in schedule.steps.
  virtual RunOutcome run_traced(const Program &p) { return run(p); }
  // A schedule of p's operations within the runner's bound that shows
  // `sig`, fewest preemptions first, as a Program (anchored switches); none
  // if there is none or this runner cannot search (minimize.h).
  virtual std::optional<Program> schedule_showing(const Program &p,
                                                  const Signature &sig) {
    return std::nullopt;
  }
};

enum class TriageStatus { no_finding, flaky, duplicate, fresh };
const char *triage_status_name(TriageStatus s);

struct Confirmation {
  TriageStatus status;  // no_finding, flaky or fresh
  std::optional<Signature> signature;
  std::string report;  // of the first run with a finding
  int runs = 0, with_finding = 0;
};
Confirmation confirm(Runner &runner, const Program &p, int confirm_runs);

// The name of the committed case with this signature, if any.
// known: case name -> signature string (Signature::str()).
std::optional<std::string> dedup(
    const Signature &sig, const std::map<std::string, std::string> &known);

// `p` with the schedule its run took written out as anchored switches
// (with_schedule: v2, no change points), if that still shows the same
// signature: a readable schedule that survives changes elsewhere in the
// core, and that the minimizer can cut down. Otherwise `p` unchanged.
Program make_schedule_explicit(Runner &runner, const Program &p,
                               const Signature &sig);

// Minimizes while the runner reports the same signature (until
// out_of_budget, if given: minimize.h).
Program minimize_finding(Runner &runner, const Program &p, const Signature &sig,
                         MinimizeStats *stats,
                         const OutOfBudget &out_of_budget = nullptr);

struct TriageResult {
  TriageStatus status;
  Confirmation confirmation;
  std::string duplicate_of;
  Program minimized;
  MinimizeStats stats;
};
// out_of_budget bounds the minimization only: confirm and dedup always run.
TriageResult triage(Runner &runner, const Program &p, int confirm_runs,
                    const std::map<std::string, std::string> &known,
                    const OutOfBudget &out_of_budget = nullptr);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_TRIAGE_TRIAGE_H_
