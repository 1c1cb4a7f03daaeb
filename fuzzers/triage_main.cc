// triage: turns crash artifacts into minimized regression cases, and
// checks committed cases (the replay suite).
//
//   triage [--bug=NAME] [--protocol=NAME] [--confirm=N] [--name=NAME]
//          [--regressions=DIR] [--dry-run] ARTIFACT...
//   triage --check [--regressions=DIR] [CASE_DIR...]
//
// Each ARTIFACT (a Program's bytes or text) is confirmed (replayed
// --confirm times, default 5: a finding that does not come back every time
// is reported flaky and not written), deduplicated against the signatures
// under --regressions (default regressions), minimized while its signature
// stays the same, and written as --regressions/NAME (default: the bug's
// name, or <protocol>-<kind>). --check replays committed cases: a case with
// an injected bug must still produce its signature in its sanitizer's
// build, and every case must run clean under every correct protocol.
// Runs happen in child processes (this binary, --run-one), since a finding
// ends the process that has it.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bugs.h"
#include "core/protocol.h"
#include "fuzzers/decoder.h"
#include "fuzzers/executor.h"
#include "fuzzers/program_io.h"
#include "fuzzers/program_text.h"
#include "fuzzers/regression_case.h"
#include "fuzzers/trace_html.h"
#include "fuzzers/triage.h"

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

[[noreturn]] void fail(const std::string &msg, int code = 2) {
  std::fprintf(stderr, "triage: %s\n", msg.c_str());
  std::exit(code);
}

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) fail("cannot find /proc/self/exe", 1);
  return std::string(buf, n);
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

// Replays Programs in a child process of this binary.
class ChildRunner : public Runner {
 public:
  ChildRunner(Bug bug, std::string tmpdir)
      : bug_(bug), tmp_(std::move(tmpdir)), exe_(self_exe()) {}

  bool trace = false;  // the child prints the run's story before a report

  RunOutcome run_traced(const Program &p) override {
    trace = true;
    RunOutcome o = run(p);
    trace = false;
    return o;
  }

  RunOutcome run(const Program &p) override {
    std::string file = tmp_ + "/input.bin";
    std::string err = write_file_atomic(file, encode(p));
    if (!err.empty()) fail(err, 1);
    // The report on one pipe, the schedule's records (schedule.h) on the
    // other, as the child's fd 3.
    int out[2], rec[2];
    if (pipe(out) != 0 || pipe(rec) != 0) fail("pipe failed", 1);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(out[1], 1);
      dup2(out[1], 2);
      dup2(rec[1], 3);
      for (int fd : {out[0], out[1], rec[0], rec[1]})
        if (fd > 3) close(fd);
      std::string bug = "--bug=" + std::string(bug_name(bug_));
      execl(exe_.c_str(), exe_.c_str(), "--run-one", bug.c_str(),
            trace ? "--trace" : "--quiet", file.c_str(),
            static_cast<char *>(nullptr));
      _exit(127);
    }
    close(out[1]);
    close(rec[1]);
    RunOutcome o;
    std::string records;
    read_both(out[0], &o.report, rec[0], &records);
    int status = 0;
    waitpid(pid, &status, 0);
    o.schedule = read_records(records);
    o.finding = signature_of(o.report);
    if (!o.finding && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      o.finding = Signature{"crash:unparsed", "?",
                            "exit status " + std::to_string(status)};
    return o;
  }

 private:
  // Reads two pipes to their ends at once (either may fill first).
  static void read_both(int a, std::string *to_a, int b, std::string *to_b) {
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    std::string *to[2] = {to_a, to_b};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        fail("poll failed", 1);
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !fds[i].revents) continue;
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          to[i]->append(buf, n);
        } else if (n == 0 || errno != EINTR) {
          close(fds[i].fd);
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
  }

  Bug bug_;
  std::string tmp_, exe_;
};

int run_one(Bug bug, const std::string &file, bool trace) {
  LoadedProgram in = load_program(file);
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
  if (trace) o.live_trace = &live, arm_trace_page(html, in.program, &live);
  RunResult r = e.run(in.program, o);
  if (trace) {
    disarm_trace_page();
    write_html_file(html, trace_html(in.program, r.trace, {}));
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

Bug parse_bug_flag(std::string_view v) {
  std::optional<Bug> b = parse_bug(v);
  if (!b) fail("unknown bug '" + std::string(v) + "' (see core/bugs.def)");
  if (*b != Bug::none && !kBugCatalogCompiled)
    fail("--bug needs a build with the bug catalog (--//core:bug=all)");
  return *b;
}

int check(const std::vector<std::string> &dirs, const std::string &tmp) {
  int passed = 0, failed = 0;
  for (const std::string &dir : dirs) {
    RegressionCase c;
    std::string err;
    if (!read_case(dir, &c, &err)) {
      std::printf("FAIL %s: %s\n", dir.c_str(), err.c_str());
      ++failed;
      continue;
    }
    Bug bug = parse_bug_flag(c.bug);
    std::vector<std::string> problems;
    // The model's own findings (leak, deadlock, ...) are the same in every
    // build; a sanitizer's only in its own.
    bool any_build = c.signature.rfind("nsfuzz:", 0) == 0 &&
                     c.signature.find("use-after-free") == std::string::npos;
    bool check_finding = c.sanitizer == NSFUZZ_SANITIZER || any_build;
    if (bug != Bug::none && check_finding) {
      ChildRunner runner(bug, tmp);
      RunOutcome o = runner.run(c.program);
      std::string got = o.finding ? o.finding->str() : "no finding";
      if (got != c.signature)
        problems.push_back("with bug " + c.bug + ": expected '" + c.signature +
                           "', got '" + got + "'" +
                           (o.finding ? " (" + o.finding->summary + ")" : ""));
    }
    ChildRunner clean(Bug::none, tmp);
    for (int i = 0; i < kNumProtocols; ++i) {
      Program p = c.program;
      p.protocol = static_cast<Protocol>(i);
      RunOutcome o = clean.run(p);
      if (o.finding)
        problems.push_back("without a bug, under " +
                           std::string(protocol_name(p.protocol)) + ": " +
                           o.finding->str() + " (" + o.finding->summary + ")");
    }
    if (problems.empty()) {
      std::printf("ok   %s%s\n", c.name.c_str(),
                  bug != Bug::none && !check_finding
                      ? (" (finding recorded under " + c.sanitizer +
                         "; clean runs checked here)")
                            .c_str()
                      : "");
      ++passed;
    } else {
      for (const std::string &p : problems)
        std::printf("FAIL %s: %s\n", c.name.c_str(), p.c_str());
      ++failed;
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv) {
  Bug bug = Bug::none;
  std::optional<Protocol> protocol;
  int confirm_runs = 5;
  std::string root = "regressions", name;
  bool dry_run = false, check_mode = false, run_one_mode = false;
  bool trace = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string> {
      if (a.substr(0, flag.size()) != flag) return std::nullopt;
      return std::string(a.substr(flag.size()));
    };
    if (auto v = value("--bug=")) {
      bug = parse_bug_flag(*v);
    } else if (auto v = value("--protocol=")) {
      protocol = parse_protocol(*v);
      if (!protocol) fail("unknown protocol '" + *v + "'");
    } else if (auto v = value("--confirm=")) {
      confirm_runs = std::atoi(v->c_str());
      if (confirm_runs < 1 || confirm_runs > 1000) fail("bad --confirm");
    } else if (auto v = value("--name=")) {
      name = *v;
    } else if (auto v = value("--regressions=")) {
      root = *v;
    } else if (a == "--dry-run") {
      dry_run = true;
    } else if (a == "--check") {
      check_mode = true;
    } else if (a == "--run-one") {
      run_one_mode = true;
    } else if (a == "--trace" || a == "--quiet") {
      trace = a == "--trace";
    } else if (a.substr(0, 1) == "-") {
      fail("unknown flag '" + std::string(a) +
           "' (see fuzzers/triage_main.cc)");
    } else {
      files.emplace_back(a);
    }
  }
  if (run_one_mode) {
    if (files.size() != 1) fail("--run-one takes one file");
    return run_one(bug, files[0], trace);
  }
  const char *base = std::getenv("TEST_TMPDIR");
  if (!base) base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base ? base : "/tmp") + "/nsfuzz-triage.XXXXXX";
  if (!mkdtemp(tmpl.data())) fail("cannot create a temporary folder", 1);
  std::string tmp = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::string cmd = "rm -rf '" + dir + "'";
      (void)!system(cmd.c_str());
    }
  } cleanup{tmp};

  if (check_mode) {
    if (files.empty()) files = list_cases(root);
    if (files.empty()) fail("no regression cases under " + root, 1);
    return check(files, tmp);
  }
  if (files.empty()) fail("no artifact given");
  if (files.size() > 1 && !name.empty())
    fail("--name takes one artifact at a time");

  std::map<std::string, std::string> known;
  for (const std::string &dir : list_cases(root)) {
    RegressionCase c;
    std::string err;
    if (!read_case(dir, &c, &err)) fail(err, 1);
    // The same symptom under another injected bug is another bug.
    if (c.bug == bug_name(bug)) known[c.name] = c.signature;
  }
  ChildRunner runner(bug, tmp);
  std::map<TriageStatus, int> tally;
  for (const std::string &file : files) {
    LoadedProgram in = load_program(file);
    if (!in.ok()) fail(in.error);
    Program raw = in.program;
    if (protocol) raw.protocol = *protocol;
    TriageResult r = triage(runner, raw, confirm_runs, known);
    ++tally[r.status];
    std::printf("%s: %s", file.c_str(), triage_status_name(r.status));
    if (r.confirmation.signature)
      std::printf(" %s (%d/%d runs)", r.confirmation.signature->str().c_str(),
                  r.confirmation.with_finding, r.confirmation.runs);
    if (r.status == TriageStatus::duplicate)
      std::printf(", already regressions/%s", r.duplicate_of.c_str());
    std::printf("\n");
    if (r.status != TriageStatus::fresh) continue;
    Counts before = counts(raw), after = counts(r.minimized);
    RunOutcome final_run = runner.run_traced(r.minimized);
    RegressionCase c;
    c.name = !name.empty() ? name
             : bug != Bug::none
                 ? std::string(bug_name(bug))
                 : std::string(protocol_name(r.minimized.protocol)) + "-" +
                       r.confirmation.signature->kind.substr(
                           r.confirmation.signature->kind.find(':') + 1);
    for (char &ch : c.name)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') ch = '-';
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
    c.stats["minimized"] = std::to_string(encode(r.minimized).size()) +
                           " bytes, " + std::to_string(after.threads) +
                           " threads, " + std::to_string(after.ops) + " ops, " +
                           std::to_string(after.switches) + " switches, " +
                           std::to_string(final_run.schedule.decisions.size()) +
                           " context switches";
    c.stats["minimize_runs"] = std::to_string(r.stats.tries);
    std::printf("  minimized: %s -> %s (%llu runs)\n", c.stats["raw"].c_str(),
                c.stats["minimized"].c_str(),
                static_cast<unsigned long long>(r.stats.tries));
    std::printf("%s", print_program(r.minimized).c_str());
    if (dry_run) continue;
    std::string err = write_case(root, c);
    if (!err.empty()) fail(err, 1);
    known[c.name] = c.signature;
    std::printf("  wrote %s/%s\n", root.c_str(), c.name.c_str());
    copy_file(tmp + "/trace.html", root + "/" + c.name + "/trace.html");
  }
  std::printf("triage: %d new, %d duplicate, %d flaky, %d without finding\n",
              tally[TriageStatus::fresh], tally[TriageStatus::duplicate],
              tally[TriageStatus::flaky], tally[TriageStatus::no_finding]);
  return tally[TriageStatus::flaky] ? 1 : 0;
}
