// triage: turns crash artifacts into minimized regression cases, and
// checks committed cases (the replay suite). The flags and the exit status:
// kUsage below.
//
// Each ARTIFACT (a Program's bytes or text) is confirmed (replayed
// --confirm times: a finding that does not come back every time is
// reported flaky and not written), deduplicated against the signatures
// under --regressions, minimized while its signature stays the same, and
// written as --regressions/NAME. --check replays committed cases: a case
// with an injected bug must still produce its signature in its sanitizer's
// build (on its recorded schedule, or, when that went stale, on one that
// exploring its operations finds: --rerecord writes that one into the
// case), and every case must run clean under every correct protocol.
// Runs happen in child processes (this binary, --run-one; see
// fuzzers/triage/child_runner.h), since a finding ends the process that has it.
// The scratch folder is removed on every exit and on SIGINT/SIGTERM/SIGHUP.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bugs.h"
#include "core/drift.h"
#include "core/protocol.h"
#include "fuzzers/cli/cli.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/exec/trace_html.h"
#include "fuzzers/explore/explore.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/triage/child_runner.h"
#include "fuzzers/triage/regression_case.h"
#include "fuzzers/triage/temp_files.h"
#include "fuzzers/triage/triage.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NSFUZZ_SANITIZER "asan"
#elif __has_feature(thread_sanitizer)
#define NSFUZZ_SANITIZER "tsan"
#endif
#endif
#ifndef NSFUZZ_SANITIZER
#define NSFUZZ_SANITIZER "none"
#endif

namespace {

using namespace nsfuzz;

constexpr const char *kUsage = R"(usage: triage [FLAG...] ARTIFACT...
       triage --check [--regressions=DIR] [CASE_DIR...]
       triage --rerecord [--regressions=DIR] [CASE_DIR...]
       triage --signature REPORT_FILE
Confirms, deduplicates and minimizes each crash ARTIFACT (a Program's text
form or bytes) and writes it as a regression case; --check replays
committed cases; --rerecord writes a stale case's schedule again.
  --bug=NAME          the injected bug the artifact was found with (one
                      of core/bugs.def; needs a build with --//core:bug=all)
  --protocol=NAME     run under this protocol instead of the artifact's
  --confirm=N         replays that must all give the finding (1..1000; 5)
  --timeout=S         a run that has not ended after S seconds (1..3600;
                      30) is killed and is the finding nsfuzz:hang; a
                      search of schedules (minimizing, --check) that has
                      not, ends there, as if it found nothing
  --name=NAME         the case's folder name (a-z, 0-9, _ and -; one
                      artifact); default the bug's name, or
                      <protocol>-<kind>, made free with -2, -3...
  --regressions=DIR   where cases are read and written (default
                      regressions, of the workspace under `bazel run`)
  --deadline=S        minimize until S seconds after triage started
                      (1..86400; default none): past it, each artifact is
                      still confirmed and deduplicated, and its case is the
                      smallest Program found so far, marked "cut short"
  --json=FILE         also write what became of each artifact to FILE, as
                      one JSON object (below); written whole, or not at all
  --dry-run           triage and print, write nothing
  --check             replay the cases under DIR (or the CASE_DIRs given).
                      A case whose recorded schedule no longer shows its
                      signature passes as "stale" when some schedule of its
                      operations does (at most 2 preemptions, 5000
                      schedules), with the command that re-records it
  --rerecord          for each case under DIR (or each CASE_DIR) of this
                      build's sanitizer whose recorded schedule no longer
                      shows its signature: the schedule --check found,
                      written into the case in place (program.txt,
                      input.bin, report.txt, summary and sizes; its name,
                      bug, protocol, sanitizer and signature stay)
  --signature         print the signature of the first finding in
                      REPORT_FILE (a run's output), one line of two
                      tab-separated columns: "KIND @ WHERE" as cases record
                      it, then the kind as a table cell ("heap-use-after-free",
                      "data race", "nsfuzz: leak"); exit 1 if it has none
  --help              print this and exit
Relative paths are taken from BUILD_WORKING_DIRECTORY under `bazel run`.
--json's object: "artifacts", one object each: "artifact", "status"
(new, duplicate, flaky or no_finding), "signature", "runs" and
"with_finding" (confirmation), "case" (the folder written, or the one it
duplicates), "written", "cut_short", "minimize_runs"; then the counts
"new", "duplicate", "flaky", "no_finding" and "not_written". With --check:
"cases", one object each: "case" (its folder), "name", "status" (ok,
stale or failed), "explored" (schedules explored clean), "problems" (one
line each), "stale" (the note, when stale); then "passed", "failed" and
"stale".
Exit status: 0 every artifact was a confirmed finding, written as a new case
(or with --dry-run, would be) or a duplicate of a committed one; --check:
every case passed; --rerecord: every case shows its signature, on its
recorded schedule or on the one written. 1 otherwise: an artifact gave no
finding or a flaky one, a case failed, or an error. 2 a usage error, before
any work.
)";

// Ends the run: main prints nothing more and returns the code, after every
// destructor (the scratch folder's) has run.
struct Exit {
  int code;
};

// The name errors start with: NSFUZZ_PROG when a wrapper sets it (ci/triage
// does), so that a message names the command the user typed.
const char *prog() {
  const char *p = std::getenv("NSFUZZ_PROG");
  return p && *p ? p : "triage";
}

// A status as --json names it.
const char *status_key(TriageStatus s) {
  return s == TriageStatus::no_finding ? "no_finding"
         : s == TriageStatus::fresh    ? "new"
                                       : triage_status_name(s);
}

[[noreturn]] void fail(const std::string &msg, int code = 2) {
  std::fprintf(
      stderr, "%s: %s%s\n", prog(), printable(msg).c_str(),
      code == 2 ? (std::string(" (see ") + prog() + " --help)").c_str() : "");
  throw Exit{code};
}

// The page of the final traced run, into the case (best effort: the case
// is whole without it).
void copy_file(const std::string &from, const std::string &to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return;
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  write_html_file(to, text);
}

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) fail("cannot find /proc/self/exe", 1);
  return std::string(buf, n);
}

// Replays Programs in a child process of this binary.
ChildRunner child_runner(Bug bug, const std::string &scratch, int timeout) {
  std::string exe = self_exe();
  std::string flag = "--bug=" + std::string(bug_name(bug));
  return ChildRunner({exe, "--run-one", flag, "--quiet"},
                     {exe, "--run-one", flag, "--trace"},
                     scratch + "/input.bin", timeout);
}

// The artifact's Program, or a one-line error naming it.
LoadedProgram load_artifact(const std::string &file) {
  return load_user_program(file, prog());
}

int run_one(Bug bug, const std::string &file, bool trace) {
  LoadedProgram in = load_artifact(file);
  if (!in.ok()) fail(in.error);
  Executor e;
  RunOptions o;
  o.bug = bug;
  o.trace = trace;
  o.trace_fd = trace ? STDOUT_FILENO : -1;
  o.record_fd = fcntl(3, F_GETFD) != -1 ? 3 : -1;  // from ChildRunner
  o.record_steps = trace && o.record_fd >= 0;
  // A traced run also draws itself beside its input (copied into the case).
  const std::vector<TraceEvent> *live = nullptr;
  std::string html = file.substr(0, file.rfind('/') + 1) + "trace.html";
  int reports_before = sanitizer_reports();
  if (trace) o.live_trace = &live, arm_trace_page(html, in.program, &live);
  RunResult r = e.run(in.program, o);
  if (trace) {
    disarm_trace_page();
    write_html_file(html, trace_html(in.program, r.trace,
                                     race_finding(r.trace, reports_before)));
  }
  return 0;
}

// The first lines of a report, with the build folder's absolute paths
// ("/home/.../execroot/nsfuzz/bazel-out/.../triage+0x12") cut to their
// file names: a committed case names no folder of one machine.
std::string excerpt(const std::string &report, int max_lines) {
  std::string out;
  int n = 0;
  for (size_t i = 0; i < report.size() && n < max_lines; ++i) {
    out += report[i];
    if (report[i] == '\n') ++n;
  }
  for (size_t at; (at = out.find("/execroot/")) != std::string::npos;) {
    size_t start = out.rfind('/', at);
    while (start > 0 && out[start - 1] != ' ' && out[start - 1] != '(') --start;
    size_t end = out.find_first_of(" )\n", at);
    size_t base = out.rfind('/', end) + 1;
    out.erase(start, base - start);
  }
  return out;
}

struct Counts {
  size_t threads, ops, switches;
};
Counts counts(const Program &p) {
  return {static_cast<size_t>(p.threads), p.ops.size(),
          p.switches.size() + p.step_switches.size()};
}

// case.txt's `minimized:` line: p's size, and the context switches of its
// recorded run.
std::string size_stat(const Program &p, const RunOutcome &run) {
  Counts n = counts(p);
  return std::to_string(encode(p).size()) + " bytes, " +
         std::to_string(n.threads) + " threads, " + std::to_string(n.ops) +
         " ops, " + std::to_string(n.switches) + " switches, " +
         std::to_string(run.schedule.decisions.size()) + " context switches";
}

// --bug's value, or a usage error.
Bug bug_flag(std::string_view v) {
  std::string why;
  std::optional<Bug> b = parse_bug_flag(v, &why);
  if (!b) fail(why);
  return *b;
}

constexpr int kCheckPreemptions = 2;

// "" when every schedule of p's operations within the bound runs clean
// under every correct protocol, with no bug; else what went wrong.
// *schedules: how many ran.
std::string explore_clean(const Program &p, int timeout, uint64_t *schedules) {
  *schedules = 0;
  for (int i = 0; i < kNumProtocols; ++i) {
    Program q = p;
    q.protocol = static_cast<Protocol>(i);
    ExploreOptions o;
    o.preemptions = kCheckPreemptions;
    o.bug = Bug::none;
    o.timeout_seconds = timeout;
    ExploreResult x = explore(q, o);
    *schedules += x.stats.schedules;
    std::string where = "exploring under " +
                        std::string(protocol_name(q.protocol)) + ", bound " +
                        std::to_string(kCheckPreemptions) + ": ";
    if (!x.error.empty()) return where + x.error;
    if (x.timed_out)
      return where + "not done after --timeout=" + std::to_string(timeout) +
             " s (" + std::to_string(x.stats.schedules) + " schedules)";
    if (x.finding)
      return where + x.signature + " after " +
             std::to_string(x.stats.schedules) + " schedules:\n" +
             print_program(x.program);
    if (!x.stats.complete) return where + "incomplete";
  }
  return "";
}

// Triage's runner: a child per run, and for the minimizer a search of
// schedules (minimize.h): the explorer at 0, 1, then 2 preemptions, each
// search at most kSearchBudget schedules.
class ExploringRunner final : public ChildRunner {
 public:
  ExploringRunner(ChildRunner base, Bug bug, int timeout)
      : ChildRunner(std::move(base)), bug_(bug), timeout_(timeout) {}
  std::optional<Program> schedule_showing(const Program &p,
                                          const Signature &sig) override {
    for (int k = 0; k <= kCheckPreemptions; ++k) {
      ExploreOptions o;
      o.preemptions = k;
      o.budget = kSearchBudget;
      o.bug = bug_;
      o.signature = sig.str();       // past findings of other signatures
      o.timeout_seconds = timeout_;  // --timeout bounds each search too
      ExploreResult x = explore(p, o);
      if (x.timed_out) ++cut_;
      if (x.finding)
        return x.replayed && x.signature == sig.str()
                   ? std::optional<Program>(x.program)
                   : std::nullopt;
    }
    return std::nullopt;
  }
  // Searches ended by --timeout (each counted as not showing it).
  uint64_t cut() const { return cut_; }

 private:
  static constexpr uint64_t kSearchBudget = 5000;
  Bug bug_;
  int timeout_;
  uint64_t cut_ = 0;
};

// Whether this build can give c's finding: the model's own findings (leak,
// deadlock, ...) are the same in every build; a sanitizer's only in its
// own.
bool finding_shown_here(const RegressionCase &c) {
  bool any_build = c.signature.rfind("nsfuzz:", 0) == 0 &&
                   c.signature.find("use-after-free") == std::string::npos;
  return c.sanitizer == NSFUZZ_SANITIZER || any_build;
}

// --- Stale cases. A change that adds a schedule point at a site a case
// anchors on, before its anchor in the same thread, shifts the anchor's
// pass number: the recorded schedule no longer shows the finding, though
// the bug is as reachable as before. The case's operations, explored for
// its signature, tell the two apart; --check passes a stale case with a
// note, and --rerecord writes the schedule found into it.

// The search's budget at kCheckPreemptions, as each of the minimizer's.
constexpr uint64_t kStaleBudget = 5000;

// A schedule of c's operations, with its bug, that shows c's signature.
ExploreResult explore_case(const RegressionCase &c, Bug bug, int timeout) {
  ExploreOptions o;
  o.timeout_seconds = timeout;
  o.preemptions = kCheckPreemptions;
  o.budget = kStaleBudget;
  o.bug = bug;
  o.signature = c.signature;  // past findings of other signatures
  return explore(exploration_base(c.program), o);
}

bool shows_signature(const ExploreResult &x, const RegressionCase &c) {
  return x.finding && x.replayed && x.signature == c.signature;
}

std::string schedules(uint64_t n) {
  return std::to_string(n) + (n == 1 ? " schedule" : " schedules");
}

// Why explore_case found no schedule, in a few words.
std::string not_found(const ExploreResult &x) {
  std::string bound = "bound " + std::to_string(kCheckPreemptions);
  if (!x.error.empty()) return "exploring failed: " + x.error;
  if (x.finding)
    return "schedule " + std::to_string(x.stats.schedules) + " gave '" +
           x.signature + "' but did not replay to it";
  std::string how = x.stats.complete ? ", complete"
                    : x.stats.schedules >= kStaleBudget
                        ? ", budget of " + std::to_string(kStaleBudget) + " hit"
                        : ", cut short";
  std::string others =
      x.other_findings ? "; " + std::to_string(x.other_findings) +
                             " finding(s) of another signature, the first: " +
                             x.other_signature
                       : "";
  return "not found in " + schedules(x.stats.schedules) + ", " + bound + how +
         others;
}

// `w` as one word of a POSIX shell.
std::string shell_word(const std::string &w) {
  if (!w.empty() &&
      w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789_-./=+:,@%") == std::string::npos)
    return w;
  std::string q = "'";
  for (char ch : w) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

// The command that re-records the case in `dir`, typed at the root of the
// source tree: bazel run, in the build of the case's sanitizer.
std::string rerecord_command(const RegressionCase &c, std::string dir) {
  const char *ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  std::string root = ws && *ws ? std::string(ws) + "/" : "";
  if (!root.empty() && dir.rfind(root, 0) == 0) dir = dir.substr(root.size());
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string config =
      c.sanitizer == "none" ? "" : "--config=" + c.sanitizer + " ";
  return "bazel run " + config +
         "--//core:bug=all //fuzzers/cli:triage -- --rerecord " +
         shell_word(dir);
}

// The case in dir, or false after a FAIL line saying why.
// --json=FILE: v, written whole (a temporary renamed into place) or not at
// all.
void write_json(const std::string &path, const nlohmann::json &v) {
  std::string text = v.dump() + "\n";
  std::string err =
      write_file_atomic(path, std::vector<uint8_t>(text.begin(), text.end()));
  if (!err.empty()) fail(err, 1);
}

bool read_case_or_say(const std::string &dir, RegressionCase *c) {
  std::string err;
  if (read_case(dir, c, &err)) return true;
  std::printf("FAIL %s: %s\n", printable(dir).c_str(), printable(err).c_str());
  return false;
}

int check(const std::vector<std::string> &dirs, const std::string &tmp,
          int timeout, const std::string &json_path) {
  int passed = 0, failed = 0, stale = 0;
  nlohmann::json records = nlohmann::json::array();
  for (const std::string &dir : dirs) {
    RegressionCase c;
    nlohmann::json &rec = records.emplace_back();
    rec = {{"case", dir}, {"status", "failed"}, {"problems", {}}};
    if (!read_case_or_say(dir, &c)) {
      rec["problems"].push_back("cannot read the case");
      ++failed;
      continue;
    }
    Bug bug = bug_flag(c.bug);
    std::vector<std::string> problems;
    bool check_finding = finding_shown_here(c);
    std::string stale_note;
    if (bug != Bug::none && check_finding) {
      ChildRunner runner = child_runner(bug, tmp, timeout);
      RunOutcome o = runner.run(c.program);
      std::string got = o.finding ? o.finding->str() : "no finding";
      if (got != c.signature) {
        // Stale, or the bug is gone: its operations tell.
        ExploreResult x = explore_case(c, bug, timeout);
        if (shows_signature(x, c))
          stale_note =
              "its recorded schedule gives '" + got + "', schedule " +
              std::to_string(x.stats.schedules) + " of its operations (bound " +
              std::to_string(kCheckPreemptions) + ") gives '" + c.signature +
              "'; re-record it: " + rerecord_command(c, dir);
        else
          problems.push_back(
              "with bug " + c.bug + ": expected '" + c.signature + "', got '" +
              got + "'" + (o.finding ? " (" + o.finding->summary + ")" : "") +
              "; not on another schedule of its operations either: " +
              not_found(x));
      }
    }
    ChildRunner clean = child_runner(Bug::none, tmp, timeout);
    for (int i = 0; i < kNumProtocols; ++i) {
      Program p = c.program;
      p.protocol = static_cast<Protocol>(i);
      RunOutcome o = clean.run(p);
      if (o.finding)
        problems.push_back("without a bug, under " +
                           std::string(protocol_name(p.protocol)) + ": " +
                           o.finding->str() + " (" + o.finding->summary + ")");
    }
    // Not just its recorded schedule: every schedule of its operations with
    // at most kCheckPreemptions preemptions, under every correct protocol.
    uint64_t explored = 0;
    std::string explore_problem = explore_clean(c.program, timeout, &explored);
    if (!explore_problem.empty()) problems.push_back(explore_problem);
    // Under the drift configs a stale schedule is what they look for:
    // anchors that core/drift.h's extra points move.
    if (kScheduleDrift && !stale_note.empty())
      problems.push_back("stale under schedule drift (core/drift.h): " +
                         stale_note);
    rec["name"] = c.name;
    rec["explored"] = explored;
    rec["problems"] = problems;
    if (!stale_note.empty()) rec["stale"] = stale_note;
    if (problems.empty()) {
      rec["status"] = stale_note.empty() ? "ok" : "stale";
      std::printf(
          "ok   %s (explored clean: %llu schedules, bound %d, 3 "
          "protocols)%s\n",
          c.name.c_str(), static_cast<unsigned long long>(explored),
          kCheckPreemptions,
          bug != Bug::none && !check_finding
              ? (" (finding recorded under " + c.sanitizer +
                 "; clean runs checked here)")
                    .c_str()
              : "");
      if (!stale_note.empty()) {
        std::printf("stale %s: %s\n", c.name.c_str(),
                    printable(stale_note).c_str());
        ++stale;
      }
      ++passed;
    } else {
      for (const std::string &p : problems)
        std::printf("FAIL %s: %s\n", c.name.c_str(), p.c_str());
      ++failed;
    }
  }
  std::printf("%d passed, %d failed%s\n", passed, failed,
              stale ? (", " + std::to_string(stale) + " stale").c_str() : "");
  if (!json_path.empty())
    write_json(json_path, {{"cases", records},
                           {"passed", passed},
                           {"failed", failed},
                           {"stale", stale}});
  return failed ? 1 : 0;
}

// --rerecord: each case of this build whose recorded schedule no longer
// shows its signature gets the schedule that --check finds, in place.
// named: the cases were given (one this build cannot re-record fails),
// else they are every case under --regressions (it is skipped).
int rerecord(const std::vector<std::string> &dirs, bool named,
             const std::string &tmp, int timeout) {
  int kept = 0, rewritten = 0, skipped = 0, failed = 0;
  for (const std::string &dir : dirs) {
    RegressionCase c;
    if (!read_case_or_say(dir, &c)) {
      ++failed;
      continue;
    }
    Bug bug = bug_flag(c.bug);
    std::string cannot =
        bug == Bug::none ? "no injected bug, no finding to re-record"
        : !finding_shown_here(c)
            ? "recorded under " + c.sanitizer +
                  ": re-record it in that build (--config=" + c.sanitizer + ")"
            : "";
    if (!cannot.empty()) {
      std::printf("%s %s: %s\n", named ? "FAIL" : "skip", c.name.c_str(),
                  cannot.c_str());
      ++(named ? failed : skipped);
      continue;
    }
    ChildRunner runner = child_runner(bug, tmp, timeout);
    RunOutcome o = runner.run(c.program);
    std::string got = o.finding ? o.finding->str() : "no finding";
    if (got == c.signature) {
      std::printf("ok   %s: its recorded schedule gives '%s'; left as it is\n",
                  c.name.c_str(), c.signature.c_str());
      ++kept;
      continue;
    }
    ExploreResult x = explore_case(c, bug, timeout);
    std::string problem;
    RunOutcome again;
    if (!shows_signature(x, c)) {
      problem =
          "its recorded schedule gives '" + got + "', and " + not_found(x);
    } else {
      // The run --check will make. (A traced run, for the story only, can
      // report another finding first: a TSan race its quiet run does not.)
      again = runner.run(x.program);
      if (!again.finding || again.finding->str() != c.signature)
        problem = "schedule " + std::to_string(x.stats.schedules) + " gave '" +
                  (again.finding ? again.finding->str() : "no finding") +
                  "' when run again";
    }
    RegressionCase r = c;
    if (problem.empty()) {
      r.program = x.program;
      r.summary = again.finding->summary;
      r.report = excerpt(runner.run_traced(x.program).report, 120);
      if (r.stats.count("minimized"))
        r.stats["minimized"] = size_stat(r.program, again);
      r.stats["rerecorded"] = "schedule " + std::to_string(x.stats.schedules) +
                              " of its operations (bound " +
                              std::to_string(kCheckPreemptions) +
                              "); the recorded one gave '" + got + "'";
      problem = replace_case(dir, r);
    }
    if (!problem.empty()) {
      std::printf("FAIL %s: %s\n", c.name.c_str(), printable(problem).c_str());
      ++failed;
      continue;
    }
    copy_file(tmp + "/trace.html", dir + "/trace.html");
    std::printf(
        "rerecorded %s: its recorded schedule gave '%s'; wrote schedule %llu "
        "of its operations (bound %d), which gives '%s', to %s\n",
        c.name.c_str(), got.c_str(),
        static_cast<unsigned long long>(x.stats.schedules), kCheckPreemptions,
        c.signature.c_str(), printable(dir).c_str());
    std::printf("%s", print_program(r.program).c_str());
    ++rewritten;
  }
  std::printf(
      "%d re-recorded, %d left as they were, %d failed%s\n", rewritten, kept,
      failed,
      skipped ? (", " + std::to_string(skipped) + " of another build skipped")
                    .c_str()
              : "");
  return failed ? 1 : 0;
}

// --signature: the report's signature and its kind as a table cell.
int print_signature(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::string report((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) fail(path + ": cannot read", 1);
  std::optional<Signature> sig = signature_of(report);
  if (!sig) fail(path + ": no sanitizer, libFuzzer or nsfuzz report in it", 1);
  std::printf("%s\t%s\n", sig->str().c_str(), short_kind(sig->kind).c_str());
  return 0;
}

int triage_main(int argc, char **argv) {
  Bug bug = Bug::none;
  std::optional<Protocol> protocol;
  int confirm_runs = 5, timeout = 30, deadline_s = 0;
  std::string root, name;
  bool dry_run = false, check_mode = false, run_one_mode = false;
  bool rerecord_mode = false;
  bool signature_mode = false;
  std::string json_path;
  bool trace = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string> {
      if (a.substr(0, flag.size()) != flag) return std::nullopt;
      return std::string(a.substr(flag.size()));
    };
    auto number = [&](const char *flag, const std::string &v, int lo, int hi) {
      std::string why;
      std::optional<int64_t> n = number_flag(flag, v, lo, hi, &why);
      if (!n) fail(why);  // throws: triage's files are cleaned up on the way
      return static_cast<int>(*n);
    };
    if (auto v = value("--bug=")) {
      bug = bug_flag(*v);
    } else if (auto v = value("--protocol=")) {
      protocol = parse_protocol(*v);
      if (!protocol) fail("unknown protocol '" + *v + "'");
    } else if (auto v = value("--confirm=")) {
      confirm_runs = number("--confirm", *v, 1, 1000);
    } else if (auto v = value("--timeout=")) {
      timeout = number("--timeout", *v, 1, 3600);
    } else if (auto v = value("--json=")) {
      if (v->empty()) fail("--json needs a file name");
      json_path = user_path(*v);
    } else if (auto v = value("--deadline=")) {
      deadline_s = number("--deadline", *v, 1, 86400);
    } else if (auto v = value("--name=")) {
      name = *v;
      if (!valid_case_name(name))
        fail("bad --name '" + name +
             "': expected 1 to 64 of a-z, 0-9, _ and -, not starting with -");
    } else if (auto v = value("--regressions=")) {
      if (v->empty()) fail("--regressions expects a folder, got ''");
      root = user_path(*v);
    } else if (a == "--dry-run") {
      dry_run = true;
    } else if (a == "--check") {
      check_mode = true;
    } else if (a == "--rerecord") {
      rerecord_mode = true;
    } else if (a == "--signature") {
      signature_mode = true;
    } else if (a == "--run-one") {
      run_one_mode = true;
    } else if (a == "--trace" || a == "--quiet") {
      trace = a == "--trace";
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.substr(0, 1) == "-") {
      fail("unknown flag '" + std::string(a) + "'");
    } else {
      files.emplace_back(a);
    }
  }
  if (signature_mode) {
    if (files.size() != 1)
      fail("--signature takes one REPORT_FILE, got " +
           std::to_string(files.size()));
    return print_signature(user_path(files[0]));
  }
  if (run_one_mode) {
    if (files.size() != 1) fail("--run-one takes one file");
    return run_one(bug, files[0], trace);
  }
  if (check_mode && rerecord_mode)
    fail("--check and --rerecord: one at a time");
  if (rerecord_mode && !json_path.empty())
    fail("--json goes with artifacts or --check, not --rerecord");
  if (root.empty()) root = workspace_path("regressions");
  bool named = !files.empty();
  if (check_mode || rerecord_mode) {
    for (std::string &f : files) f = user_path(f);
    if (files.empty()) files = list_cases(root);
    if (files.empty()) fail("no regression cases under " + root, 1);
  } else {
    if (files.empty()) fail("no artifact given");
    if (files.size() > 1 && !name.empty())
      fail("--name takes one artifact at a time");
    // Refused before any work: a name that is taken.
    if (!name.empty() && !dry_run && free_case_name(root, name) != name)
      fail(root + "/" + name + " exists already; choose another --name");
  }
  // Every artifact is read before any work: a bad one stops the run early.
  std::vector<LoadedProgram> inputs;
  if (!check_mode && !rerecord_mode)
    for (const std::string &file : files) {
      inputs.push_back(load_artifact(file));
      if (!inputs.back().ok()) fail(inputs.back().error, 1);
    }
  // trace.html: the traced run's page (copied into the case).
  ScratchDir scratch("nsfuzz-triage", {"input.bin", "trace.html"});
  if (!scratch.ok()) fail("cannot create a temporary folder", 1);
  const std::string &tmp = scratch.path();
  if (check_mode) return check(files, tmp, timeout, json_path);
  if (rerecord_mode) return rerecord(files, named, tmp, timeout);

  sweep_temporaries(root);
  std::map<std::string, std::string> known;
  for (const std::string &dir : list_cases(root)) {
    RegressionCase c;
    std::string err;
    if (!read_case(dir, &c, &err)) fail(err, 1);
    // The same symptom under another injected bug is another bug.
    if (c.bug == bug_name(bug)) known[c.name] = c.signature;
  }
  ExploringRunner runner(child_runner(bug, tmp, timeout), bug, timeout);
  // A CI job's budget, not the search's: the only clock triage reads, and
  // only to stop minimizing (a case cut short says so).
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(deadline_s);
  auto past_deadline = [&] {
    return deadline_s > 0 && std::chrono::steady_clock::now() >= deadline;
  };
  std::map<TriageStatus, int> tally;
  int failures = 0;
  nlohmann::json records = nlohmann::json::array();
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string &file = files[i];
    const LoadedProgram &in = inputs[i];
    Program raw = in.program;
    if (protocol) raw.protocol = *protocol;
    const uint64_t cut_before = runner.cut();
    TriageResult r = triage(runner, raw, confirm_runs, known,
                            deadline_s ? OutOfBudget(past_deadline) : nullptr);
    ++tally[r.status];
    std::printf("%s: %s", printable(file).c_str(),
                triage_status_name(r.status));
    nlohmann::json &rec = records.emplace_back();
    rec = {{"artifact", file},
           {"status", status_key(r.status)},
           {"runs", r.confirmation.runs},
           {"with_finding", r.confirmation.with_finding},
           {"written", false},
           {"cut_short", r.stats.cut_short}};
    if (r.confirmation.signature) {
      std::printf(" %s (%d/%d runs)", r.confirmation.signature->str().c_str(),
                  r.confirmation.with_finding, r.confirmation.runs);
      rec["signature"] = r.confirmation.signature->str();
    }
    if (r.status == TriageStatus::duplicate) {
      std::printf(", already %s/%s", printable(root).c_str(),
                  r.duplicate_of.c_str());
      rec["case"] = root + "/" + r.duplicate_of;
    }
    std::printf("\n");
    if (r.status != TriageStatus::fresh) continue;
    rec["minimize_runs"] = r.stats.tries;
    Counts before = counts(raw);
    RunOutcome final_run = runner.run_traced(r.minimized);
    RegressionCase c;
    if (!name.empty()) {
      c.name = name;
    } else {
      std::string base =
          bug != Bug::none
              ? std::string(bug_name(bug))
              : std::string(protocol_name(r.minimized.protocol)) + "-" +
                    r.confirmation.signature->kind.substr(
                        r.confirmation.signature->kind.find(':') + 1);
      for (char &ch : base)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
          ch = '-';
      // A new signature of a bug that has a case already: bug-2, bug-3...
      c.name = free_case_name(root, base);
    }
    c.bug = std::string(bug_name(bug));
    c.protocol = std::string(protocol_name(r.minimized.protocol));
    c.sanitizer = NSFUZZ_SANITIZER;
    c.signature = r.confirmation.signature->str();
    c.summary = final_run.finding ? final_run.finding->summary : "";
    c.program = r.minimized;
    c.report = excerpt(final_run.report, 120);
    c.stats["raw"] = std::to_string(in.bytes.size()) + " bytes, " +
                     std::to_string(before.threads) + " threads, " +
                     std::to_string(before.ops) + " ops, " +
                     std::to_string(before.switches) + " switches";
    c.stats["minimized"] = size_stat(r.minimized, final_run);
    c.stats["minimize_runs"] = std::to_string(r.stats.tries);
    c.stats["minimize_searches"] = std::to_string(r.stats.searches);
    const uint64_t cut = runner.cut() - cut_before;
    if (cut > 0)
      c.stats["minimize_searches_cut"] =
          std::to_string(cut) + " at --timeout=" + std::to_string(timeout) +
          " (counted as not showing it)";
    if (r.stats.cut_short)
      c.stats["minimize_cut_short"] =
          "at --deadline=" + std::to_string(deadline_s) +
          ": not 1-minimal; triage it again";
    // What the replay suite will check: its operations explored clean
    // without the bug, under every correct protocol.
    uint64_t explored = 0;
    std::string dirty =
        past_deadline() ? "" : explore_clean(r.minimized, timeout, &explored);
    c.stats["explored"] =
        !dirty.empty() ? "NOT clean: " + dirty.substr(0, dirty.find('\n'))
        : explored     ? std::to_string(explored) + " schedules clean (bound " +
                         std::to_string(kCheckPreemptions) +
                         ", every correct protocol)"
                   : "not explored: past --deadline";
    if (!dirty.empty())
      std::printf("  warning: without the bug, %s\n",
                  printable(dirty.substr(0, dirty.find('\n'))).c_str());
    std::printf("  minimized: %s -> %s (%llu runs)\n", c.stats["raw"].c_str(),
                c.stats["minimized"].c_str(),
                static_cast<unsigned long long>(r.stats.tries));
    if (cut > 0)
      std::printf("  %llu of its %llu searches cut at --timeout=%d\n",
                  static_cast<unsigned long long>(cut),
                  static_cast<unsigned long long>(r.stats.searches), timeout);
    if (r.stats.cut_short)
      std::printf(
          "  cut short at --deadline=%d: the smallest case found so "
          "far, not 1-minimal\n",
          deadline_s);
    std::printf("%s", print_program(r.minimized).c_str());
    rec["case"] = root + "/" + c.name;
    if (dry_run) {
      std::printf("  would write %s/%s (--dry-run)\n", printable(root).c_str(),
                  c.name.c_str());
      continue;
    }
    std::string err = write_case(root, c);
    if (!err.empty()) {
      std::fprintf(stderr, "%s: %s\n", prog(), printable(err).c_str());
      ++failures;
      continue;
    }
    known[c.name] = c.signature;
    rec["written"] = true;
    std::printf("  wrote %s/%s\n", printable(root).c_str(), c.name.c_str());
    copy_file(tmp + "/trace.html", root + "/" + c.name + "/trace.html");
  }
  std::printf(
      "triage: %d new, %d duplicate, %d flaky, %d without finding%s\n",
      tally[TriageStatus::fresh] - failures, tally[TriageStatus::duplicate],
      tally[TriageStatus::flaky], tally[TriageStatus::no_finding],
      failures ? (", " + std::to_string(failures) + " not written").c_str()
               : "");
  if (!json_path.empty()) {
    nlohmann::json v = {{"artifacts", records},
                        {"new", tally[TriageStatus::fresh] - failures},
                        {"duplicate", tally[TriageStatus::duplicate]},
                        {"flaky", tally[TriageStatus::flaky]},
                        {"no_finding", tally[TriageStatus::no_finding]},
                        {"not_written", failures}};
    write_json(json_path, v);
  }
  bool all_found = tally[TriageStatus::flaky] == 0 &&
                   tally[TriageStatus::no_finding] == 0 && failures == 0;
  return all_found ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
  // The traced child run draws its page after the run; under TSan that
  // means letting race reports go on (the first one is the signature).
  bool run_one = false, traced = false;
  for (int i = 1; i < argc; ++i) {
    run_one |= std::string_view(argv[i]) == "--run-one";
    traced |= std::string_view(argv[i]) == "--trace";
  }
  if (run_one && traced) continue_after_race_reports(argv);
  try {
    return triage_main(argc, argv);
  } catch (const Exit &e) {
    return e.code;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: %s\n", prog(), printable(e.what()).c_str());
    return 1;
  }
}
