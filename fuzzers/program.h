// Program: a multi-thread schedule of nsproxy operations, as a plain value.
#ifndef NSFUZZ_FUZZERS_PROGRAM_H_
#define NSFUZZ_FUZZERS_PROGRAM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/protocol.h"

namespace nsfuzz {

enum class OpKind : uint8_t {
#define OP(name, arg, doc) name,
#include "fuzzers/ops.def"
#undef OP
};
inline constexpr int kNumOpKinds = 0
#define OP(name, arg, doc) +1
#include "fuzzers/ops.def"
#undef OP
    ;

enum class ArgKind : uint8_t { NONE, FLAGS, TASK, NAME };

// Limits that keep every Program small and every run bounded.
inline constexpr int kMinThreads = 2;
inline constexpr int kMaxThreads = 4;
inline constexpr int kMaxOps = 48;        // over all threads
inline constexpr int kMaxSwitches = 64;   // explicit switch decisions
inline constexpr int kMaxTaskArg = 15;    // T0..T15
inline constexpr int kMaxNameArg = 15;    // h0..h15 / m0..m15
inline constexpr int kMaxFailAlloc = 32;  // fail the Nth allocation, 1-based

struct Op {
  int thread = 1;  // 1..threads
  OpKind kind = OpKind::exit;
  uint32_t arg = 0;  // FLAGS: CLONE_NEW* bits; TASK/NAME: index; NONE: 0
  bool operator==(const Op &) const = default;
};

// "When the run reaches its `point`-th schedule point (counted from 1 over
// all threads), the running thread hands over to `thread`."
struct Switch {
  uint32_t point = 1;
  int thread = 1;
  bool operator==(const Switch &) const = default;
};

struct Program {
  Protocol protocol = Protocol::rcu_2007;
  int threads = kMinThreads;
  uint32_t privileged = 0;  // bit t set: thread t is capable(CAP_SYS_ADMIN)
  uint32_t fail_alloc = 0;  // 0: none; N: the Nth allocation fails (ENOMEM)
  // The default policy once the switches run out: thread priorities (bits
  // 0-7) and up to three PCT change points (bits 8-29; see executor.h).
  uint32_t policy_seed = 0;
  std::vector<Op> ops;  // program order; each thread runs its own in order
  std::vector<Switch> switches;  // sorted by point, points distinct
  bool operator==(const Program &) const = default;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_H_
