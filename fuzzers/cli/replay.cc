// replay: runs Program files deterministically and tells their story.
//
// FILE is a Program's text form or its bytes (a corpus unit, a crash
// artifact). For each: the Program as text, the interleaving as it runs
// (thread, operation, schedule site, object), then the finding (a sanitizer
// or nsfuzz report, which ends the process) or "no finding". --bug needs a
// build with the catalog: --//core:bug=all. --html writes the run of the
// (last) FILE as a page, one column per thread, with the finding marked
// (fuzzers/exec/trace_html.h). The flags: kUsage below.
//
// --json: a finding ends the process that has it, so each FILE runs in a
// child process (run_child, fuzzers/triage/subprocess.h): this binary
// again, with --quiet, the same --protocol/--bug/--repeat and the hidden
// flag --_facts-fd=3 (not in --help): the child writes its run's facts on
// that fd as one JSON line, {"points", "switches", "runs", "reports",
// "deterministic"}, when its run ends (none when a sanitizer ends it). The
// parent reads the finding from the child's stdout and stderr with
// signature_of (fuzzers/triage/signature.h), and prints one JSON object.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bugs.h"
#include "core/protocol.h"
#include "fuzzers/cli/cli.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/exec/trace_html.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/triage/signature.h"
#include "fuzzers/triage/subprocess.h"

namespace {

using namespace nsfuzz;

constexpr const char *kUsage = R"(usage: replay [FLAG...] FILE...
Runs each Program FILE (text form or bytes) deterministically and prints the
Program, its interleaving and its finding, or "no finding".
  --protocol=NAME  run under this protocol instead of the Program's
  --bug=NAME       with this injected bug (a build with --//core:bug=all)
  --repeat=N       run N more times (1..100000), check the same interleaving
  --quiet          print no interleaving
  --html=OUT.html  also draw the (last) FILE's run as a page: one column per
                   thread, the finding marked
  --json           run each FILE in a child process and print one JSON
                   object (below) instead; not with --html
  --timeout=S      with --json: kill a FILE's child after S seconds
                   (1..86400; default 300)
  --help           print this and exit
Relative paths are taken from BUILD_WORKING_DIRECTORY under `bazel run`.
With --json, stdout is one object: "files", one object per FILE, in order:
"file", "format" (text or bytes), "bytes", "protocol" (the one it ran
under), "bug", "verdict" (no_finding, finding, not_deterministic, timeout
or error), "points" and "switches" (of the first run; null when a
sanitizer ended it), "runs" (1 + --repeat), "signature" ({"kind", "where",
"summary", "short_kind"} as triage reads the report, or null), "error"
(one line, or null). Every FILE is run, past findings; a FILE that cannot
be read is an "error" entry. The run's output (its sanitizer report) goes
to stderr for each FILE whose verdict is not no_finding.
Exit status: 0 no finding; 1 a finding or an error (--json: in any FILE);
2 a usage error. A sanitizer may end the process with its own status
(TSan: 66); with --json the child's status is read, never returned.
)";

[[noreturn]] void usage_error(const std::string &msg) {
  usage_exit("replay", msg);
}

// "1 switch", "2 switches": words ending in s, x, z, ch or sh take "es".
std::string plural(unsigned long long n, std::string_view word) {
  std::string w(word);
  if (n != 1) {
    bool es = w.ends_with("s") || w.ends_with("x") || w.ends_with("z") ||
              w.ends_with("ch") || w.ends_with("sh");
    w += es ? "es" : "s";
  }
  return std::to_string(n) + " " + w;
}

struct Flags {
  std::optional<Protocol> protocol;
  RunOptions opts;
  int repeat = 0;
  std::vector<std::string> files;
  std::string html;
  bool bug_given = false;  // --bug was given (else the build's default)
  bool json = false;
  int timeout_seconds = 300;
  int facts_fd = -1;  // the hidden --_facts-fd=N: a --json parent's child
};

// The facts of a child's run, written by the child on its facts fd as one
// JSON line: what a parent cannot read from the report.
void write_facts(int fd, const RunResult &r, int runs, int reports,
                 bool deterministic) {
  if (fd < 0) return;
  nlohmann::ordered_json facts = {{"points", r.points},
                                  {"switches", r.switches},
                                  {"runs", runs},
                                  {"reports", reports},
                                  {"deterministic", deterministic}};
  std::string line = facts.dump() + "\n";
  for (size_t at = 0; at < line.size();) {
    ssize_t n = write(fd, line.data() + at, line.size() - at);
    if (n <= 0) break;
    at += static_cast<size_t>(n);
  }
}

// Runs the FILEs in this process, printing their story; a finding ends it.
int replay_here(const Flags &f) {
  const RunOptions &opts = f.opts;
  Executor executor;
  for (const std::string &file : f.files) {
    LoadedProgram in = load_user_program(file, "replay");
    if (!in.ok()) {
      std::fprintf(stderr, "replay: %s\n", printable(in.error).c_str());
      return 1;
    }
    Program p = in.program;
    if (f.protocol) p.protocol = *f.protocol;
    std::printf("=== %s (%s, %zu bytes), bug %s\n%s=== run\n",
                printable(file).c_str(), in.is_text ? "text" : "bytes",
                in.bytes.size(), std::string(bug_name(opts.bug)).c_str(),
                print_program(p).c_str());
    std::fflush(stdout);
    // With halt_on_error=0 TSan reports a race and lets the run go on: the
    // run's last line must still say "finding" (sanitizer_reports()).
    int reports_before = sanitizer_reports();
    RunOptions first = opts;
    first.trace_fd = opts.trace ? STDOUT_FILENO : -1;
    const std::vector<TraceEvent> *live = nullptr;
    if (!f.html.empty()) {
      first.trace = true;
      first.live_trace = &live;
      arm_trace_page(f.html, p, &live);
    }
    RunResult r = executor.run(p, first);
    if (!f.html.empty()) {
      disarm_trace_page();
      std::string err = write_html_file(
          f.html,
          trace_html(p, r.trace, race_finding(r.trace, reports_before)));
      if (!err.empty()) {
        std::fprintf(stderr, "replay: %s\n", err.c_str());
        return 1;
      }
    }
    std::string story = plural(r.points, "schedule point") + ", " +
                        plural(r.switches, "switch");
    int reports = sanitizer_reports() - reports_before;
    if (reports > 0) {
      std::printf("=== %s: finding (%s above)\n", story.c_str(),
                  plural(reports, "sanitizer report").c_str());
      std::fflush(stdout);
      write_facts(f.facts_fd, r, 1, reports, true);
      return 1;
    }
    for (int i = 0; i < f.repeat; ++i) {
      RunResult again = executor.run(p, RunOptions{.bug = opts.bug});
      if (again.hash != r.hash || again.results != r.results) {
        std::printf("NOT DETERMINISTIC: run %d took another interleaving\n",
                    i + 2);
        std::fflush(stdout);
        write_facts(f.facts_fd, r, i + 2, 0, false);
        return 1;
      }
    }
    if (f.repeat)
      story +=
          ", same interleaving in " + std::to_string(f.repeat + 1) + " runs";
    std::printf("=== %s: no finding\n", story.c_str());
    std::fflush(stdout);
    write_facts(f.facts_fd, r, f.repeat + 1, 0, true);
  }
  return 0;
}

// The last line of `text` that is not blank, escaped.
std::string last_line(const std::string &text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return printable(std::string_view(text).substr(start, end + 1 - start));
}

std::string status_words(int status) {
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status));
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

// FILE's entry of --json's object: FILE run in a child process.
nlohmann::ordered_json replay_in_child(const Flags &f,
                                       const std::string &file) {
  nlohmann::ordered_json e = {{"file", file},
                              {"format", nullptr},
                              {"bytes", nullptr},
                              {"protocol", nullptr},
                              {"bug", bug_name(f.opts.bug)},
                              {"verdict", "error"},
                              {"points", nullptr},
                              {"switches", nullptr},
                              {"runs", f.repeat + 1},
                              {"signature", nullptr},
                              {"error", nullptr}};
  LoadedProgram in = load_user_program(file, "replay");
  if (!in.ok()) {
    e["error"] = printable(in.error);
    return e;
  }
  Protocol protocol = f.protocol ? *f.protocol : in.program.protocol;
  e["format"] = in.is_text ? "text" : "bytes";
  e["bytes"] = in.bytes.size();
  e["protocol"] = protocol_name(protocol);

  std::vector<std::string> args = {
      "/proc/self/exe", "--quiet",
      "--_facts-fd=" + std::to_string(kChildDataFd)};
  if (f.protocol)
    args.push_back("--protocol=" + std::string(protocol_name(*f.protocol)));
  if (f.bug_given) args.push_back("--bug=" + std::string(bug_name(f.opts.bug)));
  if (f.repeat) args.push_back("--repeat=" + std::to_string(f.repeat));
  args.push_back(file);
  std::string facts_text;
  ChildExit end;
  std::string err = run_command(
      {.stdout_to_report = true, .timeout_seconds = f.timeout_seconds}, args,
      [&](const char *data, size_t n) { facts_text.append(data, n); }, &end);
  if (!err.empty()) {
    e["error"] = printable(err);
    return e;
  }
  nlohmann::ordered_json facts =
      nlohmann::ordered_json::parse(facts_text, nullptr, false);
  bool have_facts = facts.is_object();
  if (have_facts) {
    e["points"] = facts.value("points", 0ULL);
    e["switches"] = facts.value("switches", 0ULL);
  }
  std::optional<Signature> sig = signature_of(end.report);
  if (end.timed_out) {
    e["verdict"] = "timeout";
  } else if (sig) {
    e["verdict"] = "finding";
    e["signature"] = {{"kind", sig->kind},
                      {"where", sig->where},
                      {"summary", sig->summary},
                      {"short_kind", short_kind(sig->kind)}};
  } else if (have_facts && facts.value("reports", 0) > 0) {
    e["verdict"] = "finding";  // a report signature_of cannot read
  } else if (have_facts && !facts.value("deterministic", true)) {
    e["verdict"] = "not_deterministic";
  } else if (have_facts && WIFEXITED(end.status) &&
             WEXITSTATUS(end.status) == 0) {
    e["verdict"] = "no_finding";
  } else {
    std::string last = last_line(end.report);
    e["error"] = "the run ended with " + status_words(end.status) +
                 " and no report of a finding" +
                 (last.empty() ? "" : ": " + last);
  }
  if (e["verdict"] != "no_finding") std::fputs(end.report.c_str(), stderr);
  return e;
}

// --json: every FILE in a child process, one object on stdout.
int replay_json(const Flags &f) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  bool all_clean = true;
  for (const std::string &file : f.files) {
    files.push_back(replay_in_child(f, file));
    all_clean = all_clean && files.back()["verdict"] == "no_finding";
  }
  nlohmann::ordered_json v = {{"files", files}};
  std::printf("%s\n", v.dump(-1, ' ', false,
                             nlohmann::ordered_json::error_handler_t::replace)
                          .c_str());
  return all_clean ? 0 : 1;
}

int replay(int argc, char **argv) {
  Flags f;
  f.opts.trace = true;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (auto v = flag_value(a, "--protocol=")) {
      f.protocol = parse_protocol(*v);
      if (!f.protocol)
        usage_error("unknown protocol '" + std::string(*v) + "'");
    } else if (auto v = flag_value(a, "--bug=")) {
      std::string why;
      std::optional<Bug> bug = parse_bug_flag(*v, &why);
      if (!bug) usage_error(why);
      f.opts.bug = *bug;
      f.bug_given = true;
    } else if (auto v = flag_value(a, "--repeat=")) {
      f.repeat = static_cast<int>(
          number_flag_or_exit("replay", "--repeat", *v, 1, 100000));
    } else if (auto v = flag_value(a, "--html=")) {
      f.html = user_path(std::string(*v));
      if (v->empty()) usage_error("--html needs a file name");
    } else if (auto v = flag_value(a, "--timeout=")) {
      std::optional<int64_t> n = parse_int(*v, 1, 86400);
      if (!n)
        usage_error("--timeout expects seconds from 1 to 86400, got '" +
                    std::string(*v) + "'");
      f.timeout_seconds = static_cast<int>(*n);
    } else if (auto v = flag_value(a, "--_facts-fd=")) {
      std::optional<int64_t> n = parse_int(*v, 0, 1023);
      if (!n) usage_error("--_facts-fd expects a descriptor");
      f.facts_fd = static_cast<int>(*n);
    } else if (a == "--json") {
      f.json = true;
    } else if (a == "--quiet") {
      f.opts.trace = false;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.substr(0, 1) == "-") {
      usage_error("unknown flag '" + std::string(a) + "'");
    } else {
      f.files.emplace_back(a);
    }
  }
  if (f.files.empty()) usage_error("no input file");
  if (f.json && !f.html.empty())
    usage_error("--json and --html: draw the page without --json");
  return f.json ? replay_json(f) : replay_here(f);
}

}  // namespace

int main(int argc, char **argv) {
  // A page under TSan is written after the run: let race reports go on.
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]).substr(0, 7) == "--html=")
      continue_after_race_reports(argv);
  try {
    return replay(argc, argv);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "replay: %s\n", printable(e.what()).c_str());
    return 1;
  }
}
