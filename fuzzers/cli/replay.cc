// replay: runs Program files deterministically and tells their story.
//
// FILE is a Program's text form or its bytes (a corpus unit, a crash
// artifact). For each: the Program as text, the interleaving as it runs
// (thread, operation, schedule site, object), then the finding (a sanitizer
// or nsfuzz report, which ends the process) or "no finding". --bug needs a
// build with the catalog: --//core:bug=all. --html writes the run of the
// (last) FILE as a page, one column per thread, with the finding marked
// (fuzzers/exec/trace_html.h). The flags: kUsage below.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
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
  --help           print this and exit
Relative paths are taken from BUILD_WORKING_DIRECTORY under `bazel run`.
Exit status: 0 no finding; 1 a finding or an error; 2 a usage error. A
sanitizer may end the process with its own status (TSan: 66).
)";

[[noreturn]] void usage_error(const std::string &msg) {
  usage_exit("replay", msg);
}

std::string plural(unsigned long long n, const char *word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

int replay(int argc, char **argv) {
  std::optional<Protocol> protocol;
  RunOptions opts;
  opts.trace = true;
  int repeat = 0;
  std::vector<std::string> files;
  std::string html;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (auto v = flag_value(a, "--protocol=")) {
      protocol = parse_protocol(*v);
      if (!protocol) usage_error("unknown protocol '" + std::string(*v) + "'");
    } else if (auto v = flag_value(a, "--bug=")) {
      std::string why;
      std::optional<Bug> bug = parse_bug_flag(*v, &why);
      if (!bug) usage_error(why);
      opts.bug = *bug;
    } else if (auto v = flag_value(a, "--repeat=")) {
      std::optional<int64_t> n = parse_int(*v, 1, 100000);
      if (!n)
        usage_error("--repeat expects a whole number from 1 to 100000, got '" +
                    std::string(*v) + "'");
      repeat = static_cast<int>(*n);
    } else if (auto v = flag_value(a, "--html=")) {
      html = user_path(std::string(*v));
      if (v->empty()) usage_error("--html needs a file name");
    } else if (a == "--quiet") {
      opts.trace = false;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.substr(0, 1) == "-") {
      usage_error("unknown flag '" + std::string(a) + "'");
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) usage_error("no input file");

  Executor executor;
  for (const std::string &file : files) {
    LoadedProgram in = load_user_program(file, "replay");
    if (!in.ok()) {
      std::fprintf(stderr, "replay: %s\n", printable(in.error).c_str());
      return 1;
    }
    Program p = in.program;
    if (protocol) p.protocol = *protocol;
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
    if (!html.empty()) {
      first.trace = true;
      first.live_trace = &live;
      arm_trace_page(html, p, &live);
    }
    RunResult r = executor.run(p, first);
    if (!html.empty()) {
      disarm_trace_page();
      std::string err = write_html_file(
          html, trace_html(p, r.trace, race_finding(r.trace, reports_before)));
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
      return 1;
    }
    for (int i = 0; i < repeat; ++i) {
      RunResult again = executor.run(p, RunOptions{.bug = opts.bug});
      if (again.hash != r.hash || again.results != r.results) {
        std::printf("NOT DETERMINISTIC: run %d took another interleaving\n",
                    i + 2);
        std::fflush(stdout);
        return 1;
      }
    }
    if (repeat)
      story += ", same interleaving in " + std::to_string(repeat + 1) + " runs";
    std::printf("=== %s: no finding\n", story.c_str());
    std::fflush(stdout);
  }
  return 0;
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
