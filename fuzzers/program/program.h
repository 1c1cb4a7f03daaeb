// Program: a multi-thread schedule of nsproxy operations, as a plain value.
#ifndef NSFUZZ_FUZZERS_PROGRAM_PROGRAM_H_
#define NSFUZZ_FUZZERS_PROGRAM_PROGRAM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/protocol.h"
#include "core/sched.h"

namespace nsfuzz {

enum class OpKind : uint8_t {
#define OP(name, arg, doc) name,
#include "fuzzers/program/ops.def"
#undef OP
};
inline constexpr int kNumOpKinds = 0
#define OP(name, arg, doc) +1
#include "fuzzers/program/ops.def"
#undef OP
    ;

enum class ArgKind : uint8_t { NONE, FLAGS, TASK, NAME };

// Limits that keep every Program small and every run bounded.
inline constexpr int kMinThreads = 2;
inline constexpr int kMaxThreads = 4;
inline constexpr int kMaxOps = 48;           // over all threads
inline constexpr int kMaxSwitches = 64;      // explicit switch decisions
inline constexpr uint32_t kMaxNth = 0xffff;  // an anchor's pass count
inline constexpr int kMaxTaskArg = 15;       // T0..T15
inline constexpr int kMaxNameArg = 15;       // h0..h15 / m0..m15
inline constexpr int kMaxFailAlloc = 32;     // fail the Nth allocation, 1-based

struct Op {
  int thread = 1;  // 1..threads
  OpKind kind = OpKind::exit;
  uint32_t arg = 0;  // FLAGS: CLONE_NEW* bits; TASK/NAME: index; NONE: 0
  bool operator==(const Op &) const = default;
};

// Where a thread is, named by what it does rather than by a step count:
// its `nth` pass (from 1) of schedule point `site`. A point that a change
// adds elsewhere, in another thread or at another site, leaves it alone.
struct Anchor {
  int thread = 1;
  Site site{};
  uint32_t nth = 1;
  bool operator==(const Anchor &) const = default;
};

// Format v2: "when thread `at.thread` reaches `at`, it hands over to
// `thread`" (if that thread can run; otherwise it goes on).
struct Switch {
  Anchor at;
  int thread = 2;
  bool operator==(const Switch &) const = default;
};

// Format v1 only (inputs of older corpora): "at the `point`-th schedule
// point of the whole run, counted over all threads, hand over to `thread`".
struct StepSwitch {
  uint32_t point = 1;
  int thread = 1;
  bool operator==(const StepSwitch &) const = default;
};

// The default order once the switches run out, PCT-style: the threads'
// initial priorities (a seed), and up to three change points where the
// running thread drops below every other (a preemption). A change point
// counts the run's schedule points, or (v2, `conflicts`) only its
// conflicting ones: points where another runnable thread's next step
// touches the running thread's object (executor.h, dependent()), the only
// places a preemption can change the outcome. Packed in 32 bits, in one
// place: bits 0-7 the seed, bits 8-13, 16-21 and 24-29 the change points
// (1..63, 0 for none); the other bits mean nothing and pack() leaves them
// 0. `conflicts` is not in those bits (v1's policy_seed has all 32): v2
// bytes carry it in the header (decoder.h).
struct Policy {
  uint8_t priorities = 0;
  uint8_t preempt[3] = {};
  bool conflicts = false;  // change points count conflicting points only
  bool operator==(const Policy &) const = default;
  bool has_preemptions() const { return preempt[0] | preempt[1] | preempt[2]; }

  static constexpr uint8_t kMaxPoint = 63;
  static constexpr Policy unpack(uint32_t bits) {
    Policy p;
    p.priorities = bits & 0xff;
    for (int i = 0; i < 3; ++i) p.preempt[i] = (bits >> (8 + 8 * i)) & 0x3f;
    return p;
  }
  constexpr uint32_t pack() const {
    uint32_t bits = priorities;
    for (int i = 0; i < 3; ++i)
      bits |= uint32_t{preempt[i] & 0x3fu} << (8 + 8 * i);
    return bits;
  }
};

inline constexpr int kFormatV1 = 1, kFormatV2 = 2;

struct Program {
  int format = kFormatV2;  // v1 Programs use step_switches, v2 switches
  Protocol protocol = Protocol::rcu_2007;
  int threads = kMinThreads;
  uint32_t privileged = 0;  // bit t set: thread t is capable(CAP_SYS_ADMIN)
  uint32_t fail_alloc = 0;  // 0: none; N: the Nth allocation fails (ENOMEM)
  // The world's capacities, lowered so that a short Program fills them (v2
  // only). tasks: 1 + threads..kMaxTasks; mounts: 1..kMaxMountsPerNs.
  Limits limits;
  Policy policy;
  std::vector<Op> ops;  // program order; each thread runs its own in order
  std::vector<Switch> switches;  // v2: distinct anchors, in the order given
  std::vector<StepSwitch> step_switches;  // v1: sorted, points distinct
  bool operator==(const Program &) const = default;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_PROGRAM_H_
