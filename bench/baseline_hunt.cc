// baseline_hunt: the time-to-bug baselines of ci/bench, without libFuzzer.
//
//   baseline_hunt pct|pct-conflicts|stress BUG PROTOCOL MAX_RUNS SEED
//   CORPUS_DIR
//
//  pct            random schedules: a seed Program with a fresh random PCT
//                 policy (priorities and change points) each run; no
//                 coverage feedback;
//  pct-conflicts  the same with the fuzzer's own schedules: its switches
//                 dropped, a conflict-counting PCT policy drawn as the
//                 reschedule mutation draws it (mutator.h); no feedback, no
//                 new operations;
//  stress         real concurrency: a seed Program in free-running mode.
// Counts its executions in NSFUZZ_RUNS_FILE (fuzzers/runs_file.h), as the
// fuzz targets do, so that when a finding ends the process the file says
// how many it took; prints "baseline_hunt: no finding in N executions" when
// none did.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/bugs.h"
#include "core/protocol.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/mutate/mutator.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/runs_file.h"

int main(int argc, char **argv) {
  using namespace nsfuzz;
  if (argc != 7) {
    std::fprintf(
        stderr,
        "baseline_hunt: usage: baseline_hunt pct|pct-conflicts|stress BUG "
        "PROTOCOL MAX_RUNS SEED CORPUS_DIR\n");
    return 2;
  }
  std::string mode = argv[1];
  auto bug = parse_bug(argv[2]);
  auto protocol = parse_protocol(argv[3]);
  if ((mode != "pct" && mode != "pct-conflicts" && mode != "stress") || !bug ||
      !protocol) {
    std::fprintf(stderr, "baseline_hunt: bad mode, bug or protocol\n");
    return 2;
  }
  uint64_t max_runs = std::strtoull(argv[4], nullptr, 10);
  Rng rng(std::strtoull(argv[5], nullptr, 10));
  std::vector<Program> seeds;
  for (const auto &e : std::filesystem::directory_iterator(argv[6])) {
    LoadedProgram p = load_program(e.path());
    if (p.ok()) seeds.push_back(p.program);
  }
  if (seeds.empty()) return 2;
  RunsFile runs = RunsFile::from_env("baseline_hunt");
  Executor executor;
  RunOptions o;
  o.bug = *bug;
  o.free_running = mode == "stress";
  for (uint64_t n = 1; n <= max_runs; ++n) {
    Program p = seeds[rng.below(seeds.size())];
    p.protocol = *protocol;
    if (mode == "pct")
      p.policy = Policy::unpack(static_cast<uint32_t>(rng.next()));
    if (mode == "pct-conflicts") {
      p.switches.clear();
      p.policy = conflict_schedule(rng);
    }
    runs.count();
    executor.run(p, o);
  }
  std::fprintf(stderr, "baseline_hunt: no finding in %llu executions\n",
               static_cast<unsigned long long>(max_runs));
  return 0;
}
