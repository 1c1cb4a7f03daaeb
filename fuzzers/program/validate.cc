// Validity of a Program.
#include "fuzzers/program/validate.h"

#include <utility>

#include "core/uapi.h"
#include "fuzzers/program/op_table.h"

namespace nsfuzz {

bool arg_is_valid(ArgKind kind, uint32_t arg) {
  switch (kind) {
    case ArgKind::NONE: return arg == 0;
    case ArgKind::FLAGS: return (arg & ~kCloneNewAll) == 0;
    case ArgKind::TASK: return arg <= kMaxTaskArg;
    case ArgKind::NAME: return arg <= kMaxNameArg;
  }
  return false;
}

bool is_valid(const Program &p, std::string *why) {
  auto fail = [why](std::string msg) {
    if (why) *why = std::move(msg);
    return false;
  };
  if (static_cast<int>(p.protocol) < 0 ||
      static_cast<int>(p.protocol) >= kNumProtocols)
    return fail("unknown protocol " +
                std::to_string(static_cast<int>(p.protocol)));
  if (p.threads < kMinThreads || p.threads > kMaxThreads)
    return fail("threads " + std::to_string(p.threads) + " out of range " +
                std::to_string(kMinThreads) + ".." +
                std::to_string(kMaxThreads));
  if (p.privileged & ~thread_mask(p.threads))
    return fail("privileged bits name a thread beyond T" +
                std::to_string(p.threads));
  if (p.fail_alloc > kMaxFailAlloc)
    return fail("fail_alloc " + std::to_string(p.fail_alloc) + " above " +
                std::to_string(kMaxFailAlloc));
  if (p.limits.tasks < 1 + p.threads || p.limits.tasks > kMaxTasks)
    return fail("limits tasks=" + std::to_string(p.limits.tasks) +
                " out of range " + std::to_string(1 + p.threads) + ".." +
                std::to_string(kMaxTasks) + " (init and " +
                std::to_string(p.threads) + " threads at least)");
  if (p.limits.mounts < 1 || p.limits.mounts > kMaxMountsPerNs)
    return fail("limits mounts=" + std::to_string(p.limits.mounts) +
                " out of range 1.." + std::to_string(kMaxMountsPerNs));
  if (p.ops.size() > kMaxOps)
    return fail(std::to_string(p.ops.size()) + " ops, more than " +
                std::to_string(kMaxOps));
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const Op &op = p.ops[i];
    std::string where = "op " + std::to_string(i + 1) + ": ";
    if (static_cast<int>(op.kind) >= kNumOpKinds)
      return fail(where + "unknown kind " +
                  std::to_string(static_cast<int>(op.kind)));
    if (op.thread < 1 || op.thread > p.threads)
      return fail(where + "thread T" + std::to_string(op.thread) +
                  " out of range (threads " + std::to_string(p.threads) + ")");
    if (!arg_is_valid(arg_kind(op.kind), op.arg))
      return fail(where + "bad argument " + std::to_string(op.arg) + " for " +
                  std::string(op_name(op.kind)));
  }
  if (p.format != kFormatV1 && p.format != kFormatV2)
    return fail("format v" + std::to_string(p.format) + " (expected v1 or v2)");
  if (p.format == kFormatV1 && !p.switches.empty())
    return fail("a v1 Program has step switches only");
  if (p.format == kFormatV2 && !p.step_switches.empty())
    return fail("a v2 Program has anchored switches only");
  if (p.switches.size() > kMaxSwitches || p.step_switches.size() > kMaxSwitches)
    return fail(std::to_string(p.switches.size() + p.step_switches.size()) +
                " switches, more than " + std::to_string(kMaxSwitches));
  auto bad_thread = [&](int t) { return t < 1 || t > p.threads; };
  auto thread_range = [&](int t) {
    return "thread T" + std::to_string(t) + " out of range (threads " +
           std::to_string(p.threads) + ")";
  };
  for (size_t i = 0; i < p.switches.size(); ++i) {
    const Switch &s = p.switches[i];
    std::string where = "switch " + std::to_string(i + 1) + ": ";
    if (bad_thread(s.at.thread)) return fail(where + thread_range(s.at.thread));
    if (bad_thread(s.thread)) return fail(where + thread_range(s.thread));
    if (s.at.thread == s.thread)
      return fail(where + "T" + std::to_string(s.thread) +
                  " switches to itself");
    if (static_cast<int>(s.at.site) >= kNumSites)
      return fail(where + "unknown site " +
                  std::to_string(static_cast<int>(s.at.site)));
    if (s.at.nth < 1 || s.at.nth > kMaxNth)
      return fail(where + "pass #" + std::to_string(s.at.nth) +
                  " out of range 1.." + std::to_string(kMaxNth));
    for (size_t j = 0; j < i; ++j)
      if (p.switches[j].at == s.at)
        return fail(where + "the same anchor as switch " +
                    std::to_string(j + 1));
  }
  uint32_t last = 0;
  for (size_t i = 0; i < p.step_switches.size(); ++i) {
    const StepSwitch &s = p.step_switches[i];
    std::string where = "switch " + std::to_string(i + 1) + ": ";
    if (s.point == 0) return fail(where + "point 0 (points count from 1)");
    if (s.point <= last)
      return fail(where + "point " + std::to_string(s.point) +
                  " not after the previous switch's " + std::to_string(last));
    if (bad_thread(s.thread)) return fail(where + thread_range(s.thread));
    last = s.point;
  }
  if (!p.limits.is_default() && p.format != kFormatV2)
    return fail("limits are v2's");
  if (p.policy.conflicts && p.format != kFormatV2)
    return fail("change points at conflicting points are v2's");
  for (uint8_t point : p.policy.preempt)
    if (point > Policy::kMaxPoint)
      return fail("preemption at point " + std::to_string(point) + " above " +
                  std::to_string(Policy::kMaxPoint));
  return true;
}

}  // namespace nsfuzz
