// explore: every schedule of a Program's operations within a preemption
// bound (fuzzers/explore/explore.h). The flags: kUsage below.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/bugs.h"
#include "core/protocol.h"
#include "fuzzers/cli/cli.h"
#include "fuzzers/explore/explore.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/triage/temp_files.h"

namespace {

using namespace nsfuzz;

constexpr const char *kUsage = R"(usage: explore [FLAG...] FILE
Runs every interleaving of FILE's operations (its switch lines and policy
are ignored) with at most K preemptions, depth first, a switch at any
schedule point where DPOR finds it can matter. Stops at the first finding
(with --signature, the first of that signature).
  --preemptions=K  the bound (0..8; default 2)
  --budget=N       stop after N schedules (1..1000000000; default: none)
  --protocol=NAME  run under this protocol instead of the Program's
  --bug=NAME       with this injected bug (a build with --//core:bug=all)
  --no-dpor        every schedule: switch at every point (to measure DPOR)
  --sleep-sets     also sleep sets: can skip interleavings within the bound
  --dependent-only switch only where the threads' next steps touch one
                   object: fewer schedules, not every interleaving within
                   the bound (fuzzers/explore/explore.h)
  --signature=SIG  look for this finding (a signature as `triage
                   --signature` prints it): a finding of another one ends
                   its schedule only, and the search goes on
  --out=FILE       write the finding's Program, its schedule as anchored
                   switches (a new file; never overwritten)
  --json           print the verdict as one JSON object instead (below)
  --help           print this and exit
Prints "clean: N schedules, bound K, complete" or "budget hit after N
schedules, bound K" (or "cut short ...": a run too long to follow) and then
how many of them ran distinct interleavings ("distinct: M of them, ..."),
or "finding after N schedules: SIGNATURE" and, without --out, the
finding's Program; with --signature and only other findings, "not found
after N schedules, bound K[, complete]: M findings of another signature,
the first: SIGNATURE" and that one's report on stderr. Relative paths are taken from
BUILD_WORKING_DIRECTORY under `bazel run`.
With --json, stdout is one object: "verdict" (clean, budget, cut_short,
finding, not_found or error), "schedules", "bound", "complete",
"distinct" (not after a finding), and as they apply "signature",
"program" (the finding's, text form), "out", "other_findings",
"other_signature", "error"; reports still go to stderr.
Exit status: 0 clean (complete or budget hit); 1 a finding (of another
signature too) or an error; 2 a usage error.
)";

[[noreturn]] void usage_error(const std::string &msg) {
  usage_exit("explore", msg);
}

int error(const std::string &msg) {
  return error_line("explore", msg);
}

int explore_main(int argc, char **argv) {
  ExploreOptions o;
  std::optional<Protocol> protocol;
  std::string file, out;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (auto v = flag_value(a, "--preemptions=")) {
      o.preemptions = static_cast<int>(
          number_flag_or_exit("explore", "--preemptions", *v, 0, 8));
    } else if (auto v = flag_value(a, "--budget=")) {
      o.budget = static_cast<uint64_t>(
          number_flag_or_exit("explore", "--budget", *v, 1, 1000000000));
    } else if (auto v = flag_value(a, "--protocol=")) {
      protocol = parse_protocol(*v);
      if (!protocol) usage_error("unknown protocol '" + std::string(*v) + "'");
    } else if (auto v = flag_value(a, "--bug=")) {
      std::string why;
      std::optional<Bug> bug = parse_bug_flag(*v, &why);
      if (!bug) usage_error(why);
      o.bug = *bug;
    } else if (auto v = flag_value(a, "--out=")) {
      if (v->empty()) usage_error("--out needs a file name");
      out = user_path(std::string(*v));
    } else if (auto v = flag_value(a, "--signature=")) {
      if (v->empty()) usage_error("--signature needs a signature");
      o.signature = std::string(*v);
    } else if (a == "--json") {
      json = true;
    } else if (a == "--sleep-sets") {
      o.sleep_sets = true;
    } else if (a == "--no-dpor") {
      o.dpor = false;
    } else if (a == "--dependent-only") {
      o.dependent_only = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.substr(0, 1) == "-") {
      usage_error("unknown flag '" + std::string(a) + "'");
    } else if (!file.empty()) {
      usage_error("expected one FILE, got '" + file + "' and '" +
                  std::string(a) + "'");
    } else {
      file = std::string(a);
    }
  }
  if (file.empty()) usage_error("no input file");
  struct stat st;
  if (!out.empty() && lstat(out.c_str(), &st) == 0)
    return error(out + " exists; not overwriting it");

  LoadedProgram in = load_user_program(file, "explore");
  if (!in.ok()) return error(in.error);
  Program p = in.program;
  if (protocol) p.protocol = *protocol;

  ExploreResult r = explore(p, o);

  // The verdict, once; then told as JSON or as text.
  std::string verdict, why;
  if (!r.error.empty())
    verdict = "error", why = r.error;
  else if (r.timed_out)
    verdict = "error", why = "a child outlived its timeout";
  else if (!r.finding && r.other_findings)
    verdict = "not_found";
  else if (!r.finding)
    verdict = r.stats.complete                            ? "clean"
              : o.budget && r.stats.schedules >= o.budget ? "budget"
                                                          : "cut_short";
  else if (r.signature.empty())
    verdict = "error", why = "the run of schedule " +
                             std::to_string(r.stats.schedules) +
                             " ended with no report it could read";
  else if (!r.replayed)
    verdict = "error",
    why = "the finding's Program did not replay to the same signature";
  else
    verdict = "finding";
  // The finding's Program, its schedule as anchored switches, saying where
  // it comes from; to --out when given.
  std::string text;
  if (verdict == "finding") {
    text = print_program(r.program);
    text.insert(text.find('\n') + 1,
                "# explore, bound " + std::to_string(o.preemptions) +
                    ", schedule " + std::to_string(r.stats.schedules) + ": " +
                    r.signature + "\n");
    if (!out.empty()) {
      std::string err = write_file_atomic(
          out, std::vector<uint8_t>(text.begin(), text.end()));
      if (!err.empty()) verdict = "error", why = err;
    }
  }
  if (r.finding) std::fputs(r.report.c_str(), stderr);
  if (!r.finding && r.other_findings)
    std::fputs(r.other_report.c_str(), stderr);
  const int code =
      verdict == "clean" || verdict == "budget" || verdict == "cut_short" ? 0
                                                                          : 1;

  if (json) {
    nlohmann::json v = {{"verdict", verdict},
                        {"schedules", r.stats.schedules},
                        {"bound", o.preemptions},
                        {"complete", r.stats.complete}};
    if (!why.empty()) v["error"] = why;
    if (r.other_findings) {
      v["other_findings"] = r.other_findings;
      v["other_signature"] = r.other_signature;
    }
    if (!r.finding && r.error.empty()) v["distinct"] = r.stats.classes;
    if (r.finding) v["signature"] = r.signature;
    if (verdict == "finding") {
      if (out.empty())
        v["program"] = text;
      else
        v["out"] = out;
    }
    if (!why.empty()) error(why);
    std::printf("%s\n", v.dump().c_str());
    return code;
  }
  std::string n = std::to_string(r.stats.schedules) + " schedule" +
                  (r.stats.schedules == 1 ? "" : "s");
  std::string k = "bound " + std::to_string(o.preemptions);
  if (r.finding && !r.signature.empty())
    std::printf("finding after %s: %s\n", n.c_str(), r.signature.c_str());
  if (verdict == "error") return error(why);
  if (verdict == "not_found") {
    std::printf(
        "not found after %s, %s%s: %llu finding%s of another signature, the "
        "first: %s\n",
        n.c_str(), k.c_str(), r.stats.complete ? ", complete" : "",
        static_cast<unsigned long long>(r.other_findings),
        r.other_findings == 1 ? "" : "s", r.other_signature.c_str());
    return code;
  }
  if (verdict == "finding") {
    if (out.empty())
      std::fputs(text.c_str(), stdout);
    else
      std::printf("wrote %s\n", printable(out).c_str());
    return code;
  }
  if (verdict == "clean")
    std::printf("clean: %s, %s, complete\n", n.c_str(), k.c_str());
  else if (verdict == "budget")
    std::printf("budget hit after %s, %s\n", n.c_str(), k.c_str());
  else
    std::printf("cut short after %s, %s: a run too long to follow\n", n.c_str(),
                k.c_str());
  std::printf("distinct: %llu of them, up to reordering independent steps\n",
              static_cast<unsigned long long>(r.stats.classes));
  return code;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    return explore_main(argc, argv);
  } catch (const std::exception &e) {
    return error(e.what());
  }
}
