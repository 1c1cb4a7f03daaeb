// Structure-aware mutation and crossover of Programs, for libFuzzer.
//
// Everything here is a pure function of its arguments and an explicit seed:
// the same call gives the same result, so fuzzing sessions replay exactly.
#ifndef NSFUZZ_FUZZERS_MUTATE_MUTATOR_H_
#define NSFUZZ_FUZZERS_MUTATE_MUTATOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "fuzzers/program/program.h"

namespace nsfuzz {

// splitmix64: small, fast, and good enough to drive mutations.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform-enough in [0, n); n > 0.
  uint32_t below(uint32_t n) {
    return static_cast<uint32_t>(((next() >> 32) * n) >> 32);
  }
  bool one_in(uint32_t n) { return below(n) == 0; }

 private:
  uint64_t state_;
};

// The mutations of fuzzers/mutate/mutations.def, in its order.
enum class Mutation : uint8_t {
#define MUTATION(name, weight, doc) name,
#include "fuzzers/mutate/mutations.def"
#undef MUTATION
};
inline constexpr int kNumMutations = 0
#define MUTATION(name, weight, doc) +1
#include "fuzzers/mutate/mutations.def"
#undef MUTATION
    ;

std::string_view mutation_name(Mutation m);
int mutation_weight(Mutation m);  // its share of mutate(p, seed)
std::string_view mutation_doc(Mutation m);

// Ablations of ci/bench (the fuzz target reads NSFUZZ_NO_RESCHEDULE and
// NSFUZZ_NO_WINDOWS once and passes them on): no conflict-counting
// schedules at all (neither reschedule nor the crossovers' fresh
// schedules); or their change points drawn independently in
// 1..kConflictHorizon instead of as windows. A value each call takes, not
// a setting: nothing of one caller's leaks into another's.
struct ScheduleSearch {
  bool reschedule = true;
  bool windows = true;
};

// A conflict-counting PCT schedule (the reschedule mutation's, and ci/bench's
// pct-conflicts baseline's): random priorities, a first change point among
// the first kConflictHorizon conflicting points (small Programs race
// early), a second one 1..kMaxWindow conflicting points after it and, one
// time in four, a third as far after that. A bug that needs two
// preemptions is most often such a window: one thread is preempted where
// it conflicts, the other runs a few conflicting steps, the first takes
// over again.
inline constexpr int kConflictHorizon = 20;
inline constexpr int kMaxWindow = 3;
Policy conflict_schedule(Rng &rng, const ScheduleSearch &search = {});

// The anchors a run of the Program passes, in the order it passes them:
// asked for (at most once a call) only when a mutation places a switch, so
// that anchors are drawn from points the threads really reach. Without
// it, anchors are drawn blind (a thread with ops, any site, an early pass).
using AnchorsOf = std::function<std::vector<Anchor>(const Program &)>;

// Applies mutation `m` to a valid Program; the result is valid, and equal to
// `p` when `m` cannot apply (e.g. delete_op on a Program without ops).
Program mutate(const Program &p, Mutation m, uint64_t seed,
               const AnchorsOf &anchors_of = nullptr,
               const ScheduleSearch &search = {});
// Applies a mutation chosen by `seed`, retrying others until one changes `p`.
Program mutate(const Program &p, uint64_t seed,
               const AnchorsOf &anchors_of = nullptr,
               const ScheduleSearch &search = {});
// (A v1 Program comes out v2, without its step switches.) No mutation
// changes the limits: a mutant has its parent's, a crossover child its
// first parent's, tasks raised only as far as more threads need.
// Splices two valid Programs (ops and switches of both) into a valid one.
Program crossover(const Program &a, const Program &b, uint64_t seed,
                  const ScheduleSearch &search = {});

// libFuzzer's byte-level mutator (LLVMFuzzerMutate's signature).
using ByteMutator = size_t (*)(uint8_t *data, size_t size, size_t max_size);

// For LLVMFuzzerCustomMutator: decode, mutate, encode into `data`, returning
// the new size (<= max_size). One call in eight, and whenever no mutation's
// encoding fits max_size, it defers to `byte_mutate` if given, else flips a
// bit (or returns 0 when there is nothing to flip).
size_t custom_mutate(uint8_t *data, size_t size, size_t max_size, unsigned seed,
                     ByteMutator byte_mutate = nullptr,
                     const AnchorsOf &anchors_of = nullptr,
                     const ScheduleSearch &search = {});
// For LLVMFuzzerCustomCrossOver: decode both, crossover, encode into `out`;
// returns the size, or 0 when the child does not fit max_out.
size_t custom_crossover(const uint8_t *data1, size_t size1,
                        const uint8_t *data2, size_t size2, uint8_t *out,
                        size_t max_out, unsigned seed,
                        const ScheduleSearch &search = {});

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_MUTATE_MUTATOR_H_
