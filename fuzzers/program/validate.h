// Validity of a Program: every limit of program.h, checked in one place.
#ifndef NSFUZZ_FUZZERS_PROGRAM_VALIDATE_H_
#define NSFUZZ_FUZZERS_PROGRAM_VALIDATE_H_

#include <cstdint>
#include <string>

#include "fuzzers/program/program.h"

namespace nsfuzz {

// Bits 1..threads: the `privileged` bits a Program with `threads` may set.
constexpr uint32_t thread_mask(int threads) {
  return ((1u << (threads + 1)) - 1) & ~1u;
}

// Whether `arg` is in range for an argument of kind `kind`: FLAGS a subset
// of kCloneNewAll, TASK T0..kMaxTaskArg, NAME 0..kMaxNameArg, NONE 0.
bool arg_is_valid(ArgKind kind, uint32_t arg);

// True if `p` is within every limit: format, threads, op and switch counts,
// each op's thread and argument; v2 switches between two distinct threads
// at distinct anchors, v1 switch points >= 1 and strictly increasing;
// privileged bits, fail_alloc, the limits (v2 only; tasks enough for init
// and the threads) and the policy's preemption points. Otherwise
// false, with the first problem in *why (if given), e.g. "op 3: thread T5 out
// of range (threads 2)".
bool is_valid(const Program &p, std::string *why = nullptr);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_VALIDATE_H_
