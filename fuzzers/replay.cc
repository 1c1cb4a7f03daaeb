// replay: runs Program files deterministically and tells their story.
//
//   bazel run //fuzzers:replay -- [--protocol=NAME] [--bug=NAME]
//       [--repeat=N] [--quiet] [--html=OUT.html] FILE...
//
// FILE is a Program's text form or its bytes (a corpus unit, a crash
// artifact). For each: the Program as text, the interleaving as it runs
// (thread, operation, schedule site, object), then the finding (a sanitizer
// or nsfuzz report, which ends the process) or "no finding". --repeat runs
// it N more times and checks that every run took the same interleaving.
// --bug needs a build with the catalog: --//core:bug=all. --html writes
// the run of the (last) FILE as a page, one column per thread, with the
// finding marked (fuzzers/trace_html.h).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bugs.h"
#include "core/protocol.h"
#include "fuzzers/executor.h"
#include "fuzzers/program_io.h"
#include "fuzzers/program_text.h"
#include "fuzzers/trace_html.h"

namespace {

using namespace nsfuzz;

[[noreturn]] void usage_error(const std::string &msg) {
  std::fprintf(stderr, "replay: %s (see the header of fuzzers/replay.cc)\n",
               msg.c_str());
  std::exit(2);
}

std::optional<std::string_view> flag_value(std::string_view arg,
                                           std::string_view name) {
  if (arg.substr(0, name.size()) != name) return std::nullopt;
  return arg.substr(name.size());
}

}  // namespace

int main(int argc, char **argv) {
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
      std::optional<Bug> bug = parse_bug(*v);
      if (!bug) usage_error("unknown bug '" + std::string(*v) + "'");
      if (*bug != Bug::none && !kBugCatalogCompiled)
        usage_error("--bug needs a build with --//core:bug=all");
      opts.bug = *bug;
    } else if (auto v = flag_value(a, "--repeat=")) {
      repeat = std::atoi(std::string(*v).c_str());
      if (repeat < 1 || repeat > 100000) usage_error("bad --repeat");
    } else if (auto v = flag_value(a, "--html=")) {
      html = *v;
      if (html.empty()) usage_error("--html needs a file name");
    } else if (a == "--quiet") {
      opts.trace = false;
    } else if (a.substr(0, 1) == "-") {
      usage_error("unknown flag '" + std::string(a) + "'");
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) usage_error("no input file");

  Executor executor;
  for (const std::string &file : files) {
    LoadedProgram in = load_program(file);
    if (!in.ok()) {
      std::fprintf(stderr, "replay: %s\n", in.error.c_str());
      return 1;
    }
    Program p = in.program;
    if (protocol) p.protocol = *protocol;
    std::printf("=== %s (%s, %zu bytes), bug %s\n%s=== run\n", file.c_str(),
                in.is_text ? "text" : "bytes", in.bytes.size(),
                std::string(bug_name(opts.bug)).c_str(),
                print_program(p).c_str());
    std::fflush(stdout);
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
      std::string err = write_html_file(html, trace_html(p, r.trace, {}));
      if (!err.empty()) {
        std::fprintf(stderr, "replay: %s\n", err.c_str());
        return 1;
      }
    }
    for (int i = 0; i < repeat; ++i) {
      RunResult again = executor.run(p, RunOptions{.bug = opts.bug});
      if (again.hash != r.hash || again.results != r.results) {
        std::printf("NOT DETERMINISTIC: run %d took another interleaving\n",
                    i + 2);
        return 1;
      }
    }
    std::printf("=== %llu schedule points, %llu switches%s: no finding\n",
                static_cast<unsigned long long>(r.points),
                static_cast<unsigned long long>(r.switches),
                repeat ? (", same interleaving in " +
                          std::to_string(repeat + 1) + " runs")
                             .c_str()
                       : "");
  }
  return 0;
}
