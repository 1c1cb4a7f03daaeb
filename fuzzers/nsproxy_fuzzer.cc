// The nsproxy fuzz target: bytes -> Program -> deterministic run.
//
// Built once per protocol (NSFUZZ_FUZZ_PROTOCOL forces the Program's) and
// once with the protocol taken from the input; the environment variable
// NSFUZZ_PROTOCOL=<name> forces it too. With the bug catalog compiled in,
// NSFUZZ_BUG=<name> selects the injected bug (the default is --//core:bug's).
// For ci/bench: NSFUZZ_RUNS_FILE=<path> counts the executor runs there, and
// NSFUZZ_NO_{CUSTOM_MUTATOR,INTERLEAVING_FEEDBACK,RUN_ANCHORS,RESCHEDULE,
// WINDOWS}=1 turn one feature off (ablations), and NSFUZZ_FLOOR=1 runs each
// input's operations in Program order on one thread with no scheduler
// (run_in_program_order: the floor of ci/bench part 6, not a fuzzer), and
// NSFUZZ_NO_RUN=1 decodes each input and runs nothing (what libFuzzer's
// loop, the decoder and the mutator cost alone: the most inputs/s any
// executor could reach).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "core/bugs.h"
#include "core/protocol.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/mutate/mutator.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/fnv.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/runs_file.h"

// libFuzzer's byte mutator; absent (null) under the replay engine.
extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max)
    __attribute__((weak));

namespace {

using namespace nsfuzz;

Executor *executor;
std::optional<Protocol> forced_protocol;
RunOptions run_options;
// Ablations for ci/bench (environment variables of the same names).
bool no_custom_mutator = false;         // NSFUZZ_NO_CUSTOM_MUTATOR=1
bool no_interleaving_feedback = false;  // NSFUZZ_NO_INTERLEAVING_FEEDBACK=1
bool no_run_anchors = false;            // NSFUZZ_NO_RUN_ANCHORS=1
bool floor_only = false;                // NSFUZZ_FLOOR=1
bool no_run = false;                    // NSFUZZ_NO_RUN=1
ScheduleSearch schedule_search;  // NSFUZZ_NO_RESCHEDULE, NSFUZZ_NO_WINDOWS

// Executor runs of this process (every run counts: inputs and the
// mutator's anchor runs), for ci/bug-hunt and ci/bench.
RunsFile runs;

const RunResult &counted_run(const Program &p, const RunOptions &o) {
  runs.count();
  return executor->run(p, o);
}

// Interleaving feedback: which schedule-point pair ran back to back on one
// object across two threads. libFuzzer treats the section as extra
// coverage counters, so inputs reaching a new interleaving are kept.
__attribute__((section("__libfuzzer_extra_counters")))
uint8_t interleaving_counters[kNumSites * kNumSites];

}  // namespace

namespace {

// Inputs this process ran to their end in LLVMFuzzerTestOneInput, by hash:
// only their anchors are asked for by running them in the mutator. An
// input that was never run whole may crash, and a crash inside the mutator
// is blamed on no input (libFuzzer's -minimize_crash mutates the crashing
// input itself and then wrote an empty artifact). A direct-mapped table
// allocated once: an input must not leave more mallocs than frees, or
// libFuzzer runs it a second time to look for a leak (-detect_leaks), which
// had doubled every input's cost. A hash evicted by another only costs
// that input its run anchors.
constexpr size_t kRanWholeSlots = 1 << 16;
uint64_t *ran_whole;
bool was_run_whole(uint64_t h) {
  return ran_whole[h % kRanWholeSlots] == (h | 1);
}

uint64_t input_hash(const uint8_t *data, size_t size) {
  return fnv_bytes(data, size);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  executor = new Executor;
  ran_whole = new uint64_t[kRanWholeSlots]();
#ifdef NSFUZZ_FUZZ_PROTOCOL
  forced_protocol = parse_protocol(NSFUZZ_FUZZ_PROTOCOL);
#endif
  if (const char *name = std::getenv("NSFUZZ_PROTOCOL")) {
    forced_protocol = parse_protocol(name);
    if (!forced_protocol) {
      std::fprintf(stderr,
                   "nsproxy_fuzzer: NSFUZZ_PROTOCOL=%s: no such protocol\n",
                   name);
      std::exit(2);
    }
  }
  no_custom_mutator = std::getenv("NSFUZZ_NO_CUSTOM_MUTATOR") != nullptr;
  no_interleaving_feedback =
      std::getenv("NSFUZZ_NO_INTERLEAVING_FEEDBACK") != nullptr;
  no_run_anchors = std::getenv("NSFUZZ_NO_RUN_ANCHORS") != nullptr;
  floor_only = std::getenv("NSFUZZ_FLOOR") != nullptr;
  no_run = std::getenv("NSFUZZ_NO_RUN") != nullptr;
  no_run_anchors |= floor_only || no_run;  // anchors come from runs
  schedule_search = {
      .reschedule = std::getenv("NSFUZZ_NO_RESCHEDULE") == nullptr,
      .windows = std::getenv("NSFUZZ_NO_WINDOWS") == nullptr};
  runs = RunsFile::from_env("nsproxy_fuzzer");
  if (const char *name = std::getenv("NSFUZZ_BUG")) {
    std::optional<Bug> bug = parse_bug(name);
    if (!bug || (*bug != Bug::none && !kBugCatalogCompiled)) {
      std::fprintf(stderr, "nsproxy_fuzzer: NSFUZZ_BUG=%s: %s\n", name,
                   bug ? "this build has no bug catalog (--//core:bug=all)"
                       : "no such bug in core/bugs.def");
      std::exit(2);
    }
    run_options.bug = *bug;
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Not the empty input: libFuzzer calls the target with it once, before
  // the corpus, to test the callback, and keeps nothing of that call; no
  // mutation makes one; and it decodes to the Program of the byte 0x01
  // (two threads, no operations), which an input of the corpus can be.
  // Running it cost every campaign an executor run.
  if (size == 0) return 0;
  InputForm in = read_input(data, size);
  if (!in.ok()) return -1;  // text that does not parse: not an input
  Program p = std::move(in.program);
  if (forced_protocol) p.protocol = *forced_protocol;
  if (no_run) return 0;
  if (floor_only) {
    runs.count();
    run_in_program_order(p, run_options.bug);
    return 0;
  }
  const RunResult &r = counted_run(p, run_options);
  const uint64_t h = input_hash(data, size);
  ran_whole[h % kRanWholeSlots] = h | 1;  // never 0, an empty slot
  if (!no_interleaving_feedback)
    for (uint16_t pair : r.pairs)
      if (interleaving_counters[pair] < 255) ++interleaving_counters[pair];
  return 0;
}

// The anchors a run of `p` passes, for the mutator to place switches where
// the threads really are (one extra run, only for a switch mutation).
static std::vector<Anchor> anchors_of(const Program &p) {
  Program q = p;
  if (forced_protocol) q.protocol = *forced_protocol;
  RunOptions o = run_options;
  o.record_steps = true;
  const RunResult &r = counted_run(q, o);
  std::vector<Anchor> out;
  out.reserve(r.schedule.steps.size());
  for (const Step &s : r.schedule.steps) out.push_back(s.at);
  return out;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t max_size, unsigned seed) {
  if (no_custom_mutator && LLVMFuzzerMutate)
    return LLVMFuzzerMutate(data, size, max_size);
  bool safe = !no_run_anchors && was_run_whole(input_hash(data, size));
  return custom_mutate(data, size, max_size, seed, LLVMFuzzerMutate,
                       safe ? AnchorsOf{anchors_of} : AnchorsOf{},
                       schedule_search);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                            const uint8_t *data2, size_t size2,
                                            uint8_t *out, size_t max_out,
                                            unsigned seed) {
  if (no_custom_mutator) return 0;  // the ablation has no crossover at all
  return custom_crossover(data1, size1, data2, size2, out, max_out, seed,
                          schedule_search);
}
