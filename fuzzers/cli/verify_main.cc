// verify: every small Program of a scope, each under every schedule within
// a preemption bound (fuzzers/verify/sweep.h). The flags: kUsage below.
#include <unistd.h>

#include <algorithm>
#include <chrono>
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
#include "fuzzers/program/program_text.h"
#include "fuzzers/triage/temp_files.h"
#include "fuzzers/verify/sweep.h"

namespace {

using namespace nsfuzz;

constexpr const char *kUsage = R"(usage: verify [FLAG...]
Explores every Program of a scope, modulo symmetry (fuzzers/verify/scope.h),
under every schedule with at most K preemptions, smallest Programs first,
and stops at the first finding.
  --protocol=NAME  the protocol (default rcu_2007)
  --threads=T      Programs of 2..T threads (2..4; default 2)
  --ops=N          of 0..N operations in all (0..6; default 3)
  --faults=F       with fail_alloc 1..F as well as none (0..32; default 0)
  --limits=SPEC    every Program with these limits, e.g. "tasks=3
                   mounts=2" (spaces or commas; core/limits.h; tasks
                   raised to init + threads where that is more)
  --preemptions=K  the bound (0..4; default 2)
  --bug=NAME       with this injected bug (a build with --//core:bug=all)
  --shard=I/N      only every N-th Program, from the I-th (0 <= I < N)
  --jobs=N         worker processes (1..64; default 1)
  --state=FILE     keep a checkpoint there while it runs (every 5 s and on
                   SIGINT/SIGTERM); the same command goes on from it; it
                   is removed when the sweep ends
  --out=FILE       write the finding's Program (a new file)
  --size           print how many Programs the scope has, and stop
  --json           print the verdict as one JSON object instead (below)
  --quiet          no progress lines on stderr
  --help           print this and exit
Prints "verified: P Programs (of Q before symmetry), S schedules, bound K,
SCOPE, protocol NAME: no finding", or "finding: Program #I of SCOPE, after P
Programs and S schedules: SIGNATURE" and the finding's Program (its schedule
as switches) unless --out. With --json, stdout is one object: "verdict"
(verified, finding, incomplete, interrupted or error), "protocol", "scope",
"bound", "bug", "shard", "programs" (explored), "total" (of the shard),
"representatives", "before_symmetry", "schedules", "incomplete",
"resumed", "seconds", and with a finding "finding": {"index",
"signature", "operations", "program", "schedules"}; "error".
Exit status: 0 verified; 1 a finding, an exploration cut short or an
error; 2 a usage error; 130 interrupted (the checkpoint is kept).
)";

[[noreturn]] void usage_error(const std::string &msg) {
  usage_exit("verify", msg);
}

int error(const std::string &msg) {
  return error_line("verify", msg);
}

int64_t int_flag(std::string_view name, std::string_view v, int64_t lo,
                 int64_t hi) {
  return number_flag_or_exit("verify", name, v, lo, hi);
}

std::string duration(double s) {
  long t = static_cast<long>(s + 0.5);
  return t >= 60 ? std::to_string(t / 60) + "m" + std::to_string(t % 60) + "s"
                 : std::to_string(t) + "s";
}

int verify_main(int argc, char **argv) {
  SweepOptions o;
  std::string out;
  bool json = false, quiet = false, size_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (auto v = flag_value(a, "--protocol=")) {
      std::optional<Protocol> p = parse_protocol(*v);
      if (!p) usage_error("unknown protocol '" + std::string(*v) + "'");
      o.scope.protocol = *p;
    } else if (auto v = flag_value(a, "--threads=")) {
      o.scope.threads =
          static_cast<int>(int_flag("--threads", *v, kMinThreads, kMaxThreads));
    } else if (auto v = flag_value(a, "--ops=")) {
      o.scope.ops = static_cast<int>(int_flag("--ops", *v, 0, 6));
    } else if (auto v = flag_value(a, "--faults=")) {
      o.scope.faults =
          static_cast<int>(int_flag("--faults", *v, 0, kMaxFailAlloc));
    } else if (auto v = flag_value(a, "--limits=")) {
      std::string spec(*v);
      std::replace(spec.begin(), spec.end(), ',', ' ');
      std::string err = parse_limits(spec, &o.scope.limits);
      if (!err.empty()) usage_error("--limits: " + err);
    } else if (auto v = flag_value(a, "--preemptions=")) {
      o.preemptions = static_cast<int>(int_flag("--preemptions", *v, 0, 4));
    } else if (auto v = flag_value(a, "--bug=")) {
      std::string why;
      std::optional<Bug> bug = parse_bug_flag(*v, &why);
      if (!bug) usage_error(why);
      o.bug = *bug;
    } else if (auto v = flag_value(a, "--shard=")) {
      size_t slash = v->find('/');
      if (slash == std::string_view::npos)
        usage_error("--shard expects I/N, got '" + std::string(*v) + "'");
      std::optional<int64_t> n = parse_int(v->substr(slash + 1), 1, 1 << 20);
      std::optional<int64_t> s =
          n ? parse_int(v->substr(0, slash), 0, *n - 1) : std::nullopt;
      if (!s)
        usage_error("--shard expects I/N with 0 <= I < N, got '" +
                    std::string(*v) + "'");
      o.shard = static_cast<int>(*s), o.shards = static_cast<int>(*n);
    } else if (auto v = flag_value(a, "--jobs=")) {
      o.jobs = static_cast<int>(int_flag("--jobs", *v, 1, 64));
    } else if (auto v = flag_value(a, "--state=")) {
      if (v->empty()) usage_error("--state needs a file name");
      o.state = user_path(std::string(*v));
    } else if (auto v = flag_value(a, "--out=")) {
      if (v->empty()) usage_error("--out needs a file name");
      out = user_path(std::string(*v));
    } else if (a == "--size") {
      size_only = true;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      usage_error("unknown argument '" + std::string(a) + "'");
    }
  }
  if (!out.empty() && access(out.c_str(), F_OK) == 0)
    return error(out + " exists; not overwriting it");

  const std::string scope = scope_name(o.scope);
  const std::string protocol(protocol_name(o.scope.protocol));
  if (size_only) {
    ScopeSize z = scope_size(o.scope);
    if (json)
      std::printf("%s\n", nlohmann::json{{"scope", scope},
                                         {"representatives", z.representatives},
                                         {"before_symmetry", z.programs}}
                              .dump()
                              .c_str());
    else
      std::printf("%s: %llu Programs (of %llu before symmetry)\n",
                  scope.c_str(),
                  static_cast<unsigned long long>(z.representatives),
                  static_cast<unsigned long long>(z.programs));
    return 0;
  }

  using Clock = std::chrono::steady_clock;  // for the person only
  const Clock::time_point start = Clock::now();
  const bool tty = isatty(2);
  Clock::time_point last_line{};
  auto progress = [&](const SweepProgress &p) {
    if (quiet) return;
    Clock::time_point now = Clock::now();
    if (now - last_line < std::chrono::seconds(tty ? 1 : 10) &&
        p.done < p.total)
      return;
    last_line = now;
    double s = std::chrono::duration<double>(now - start).count();
    uint64_t here = p.done - p.resumed;
    std::string eta = here && p.done < p.total
                          ? ", ETA " + duration(s / here * (p.total - p.done))
                          : "";
    std::fprintf(
        stderr,
        "%sverify: %llu/%llu Programs, %llu schedules, %.0f Programs/s%s%s",
        tty ? "\r" : "", static_cast<unsigned long long>(p.done),
        static_cast<unsigned long long>(p.total),
        static_cast<unsigned long long>(p.schedules), s > 0 ? here / s : 0.0,
        eta.c_str(), tty ? "\033[K" : "\n");
  };
  SweepResult r = sweep(o, progress);
  if (!quiet && tty) std::fputc('\n', stderr);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::string shard = std::to_string(o.shard) + "/" + std::to_string(o.shards);
  nlohmann::json v = {{"protocol", protocol},
                      {"scope",
                       {{"threads", o.scope.threads},
                        {"ops", o.scope.ops},
                        {"faults", o.scope.faults},
                        {"limits", print_limits(o.scope.limits)}}},
                      {"bound", o.preemptions},
                      {"bug", std::string(bug_name(o.bug))},
                      {"shard", shard},
                      {"programs", r.done},
                      {"total", r.total},
                      {"representatives", r.size.representatives},
                      {"before_symmetry", r.size.programs},
                      {"schedules", r.schedules},
                      {"incomplete", r.incomplete},
                      {"resumed", r.resumed},
                      {"seconds", static_cast<int64_t>(seconds * 10) / 10.0}};
  auto finish = [&](const char *verdict, int code) {
    v["verdict"] = verdict;
    if (json) std::printf("%s\n", v.dump().c_str());
    return code;
  };
  if (!r.error.empty()) {
    v["error"] = r.error;
    return finish("error", error(r.error));
  }
  std::string where =
      "bound " + std::to_string(o.preemptions) + ", " + scope +
      (o.shards > 1 ? ", shard " + shard : "") + ", protocol " + protocol +
      (o.bug != Bug::none ? ", bug " + std::string(bug_name(o.bug)) : "");
  if (r.interrupted) {
    if (!json)
      std::printf("interrupted after %llu of %llu Programs%s\n",
                  static_cast<unsigned long long>(r.done),
                  static_cast<unsigned long long>(r.total),
                  o.state.empty() ? ""
                                  : ("; the same command goes on from " +
                                     printable(o.state))
                                        .c_str());
    return finish("interrupted", 130);
  }
  if (r.finding) {
    const ExploreResult &e = r.explored;
    std::string text = print_program(e.program);
    text.insert(text.find('\n') + 1, "# verify, " + where + ": Program #" +
                                         std::to_string(r.finding_index) +
                                         ", schedule " +
                                         std::to_string(e.stats.schedules) +
                                         ": " + e.signature + "\n");
    v["finding"] = {{"index", r.finding_index},
                    {"signature", e.signature},
                    {"operations", print_program(r.finding_program)},
                    {"program", text},
                    {"schedules", e.stats.schedules},
                    {"replayed", e.replayed}};
    std::fputs(e.report.c_str(), stderr);
    if (!out.empty()) {
      std::string err = write_file_atomic(
          out, std::vector<uint8_t>(text.begin(), text.end()));
      if (!err.empty()) {
        v["error"] = err;
        return finish("error", error(err));
      }
      v["out"] = out;
    }
    if (!json) {
      std::printf(
          "finding: Program #%llu of %s, after %llu Programs and %llu "
          "schedules: %s\n",
          static_cast<unsigned long long>(r.finding_index), where.c_str(),
          static_cast<unsigned long long>(r.done),
          static_cast<unsigned long long>(r.schedules + e.stats.schedules),
          e.signature.c_str());
      if (out.empty())
        std::fputs(text.c_str(), stdout);
      else
        std::printf("wrote %s\n", printable(out).c_str());
    }
    return finish("finding", 1);
  }
  if (r.incomplete) {
    if (!json)
      std::printf(
          "not verified: %llu of %llu Programs had a run too long to "
          "follow, %s\n",
          static_cast<unsigned long long>(r.incomplete),
          static_cast<unsigned long long>(r.done), where.c_str());
    return finish("incomplete", 1);
  }
  if (!json)
    std::printf(
        "verified: %llu Programs (of %llu before symmetry), %llu schedules, "
        "%s: no finding (%.1f s)\n",
        static_cast<unsigned long long>(r.done),
        static_cast<unsigned long long>(r.size.programs),
        static_cast<unsigned long long>(r.schedules), where.c_str(), seconds);
  return finish("verified", 0);
}

}  // namespace

int main(int argc, char **argv) {
  try {
    return verify_main(argc, argv);
  } catch (const std::exception &e) {
    return error(e.what());
  }
}
