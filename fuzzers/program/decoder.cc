// Decoding and encoding of the binary form of a Program.
#include "fuzzers/program/decoder.h"

#include <algorithm>

#include "core/uapi.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/validate.h"

namespace nsfuzz {
namespace {

// The layout in decoder.h depends on these: changing one is a new version.
static_assert(kMinThreads == 2 && kMaxThreads == 4);
static_assert(kNumProtocols <= 4);
static_assert(kNumOpKinds <= 0x80);
static_assert(kMaxTaskArg == 15 && kMaxNameArg == 15);
static_assert(kMaxFailAlloc == 32);
static_assert(kNumSites <= 256);
static_assert(kMaxTasks == 16 && kMaxMountsPerNs == 16);

// FLAGS argument bit i in a record is kCloneFlags[i] (core/uapi.h); the
// record has 5 bits for them.
static_assert(kNumCloneFlags <= 5);

constexpr uint8_t kExtend = 0xff;
constexpr uint8_t kSwitch = 0x80;

uint32_t decode_arg(ArgKind kind, uint8_t bits) {  // bits: v >> 2
  switch (kind) {
    case ArgKind::NONE: return 0;
    case ArgKind::FLAGS: {
      uint32_t flags = 0;
      for (int i = 0; i < kNumCloneFlags; ++i)
        if (bits & (1u << i)) flags |= kCloneFlags[i].bit;
      return flags;
    }
    case ArgKind::TASK:
    case ArgKind::NAME: return bits & 15;
  }
  return 0;
}

uint8_t encode_arg(ArgKind kind, uint32_t arg) {
  switch (kind) {
    case ArgKind::NONE: return 0;
    case ArgKind::FLAGS: {
      uint8_t bits = 0;
      for (int i = 0; i < kNumCloneFlags; ++i)
        if (arg & kCloneFlags[i].bit) bits |= 1u << i;
      return bits;
    }
    case ArgKind::TASK:
    case ArgKind::NAME: return arg & 15;
  }
  return 0;
}

}  // namespace

size_t header_size(const uint8_t *data, size_t size) {
  return size && data[0] == kBytesV3 ? kHeaderSize : kHeaderSizeV2;
}

Program decode(const uint8_t *data, size_t size) {
  auto at = [&](size_t i) -> uint8_t { return i < size ? data[i] : 0; };
  Program p;
  p.format = at(0) == kFormatV2 || at(0) == kBytesV3 ? kFormatV2 : kFormatV1;
  const uint8_t config = at(1);
  p.threads = kMinThreads + (config & 3) % 3;
  p.protocol = static_cast<Protocol>(((config >> 2) & 3) % kNumProtocols);
  p.privileged = (config >> 3) & thread_mask(p.threads);
  p.fail_alloc = at(2) & 0x80 ? 1 + (at(2) & 31) : 0;
  p.policy =
      Policy::unpack(at(3) | at(4) << 8 | at(5) << 16 | uint32_t{at(6)} << 24);
  p.policy.conflicts = p.format == kFormatV2 && (at(2) & 0x40);
  if (at(0) == kBytesV3)
    p.limits = {.tasks = std::max(kMaxTasks - (at(7) & 15), 1 + p.threads),
                .mounts = kMaxMountsPerNs - (at(7) >> 4)};

  // One allocation a vector: under ASan each one records a stack, and a
  // decode runs for every input and every parent the mutator reads.
  size_t n_ops = 0, n_switches = 0;
  for (size_t i = header_size(data, size); i + 1 < size; i += 2)
    data[i] < kSwitch ? ++n_ops : n_switches += data[i] != kExtend;
  p.ops.reserve(std::min<size_t>(n_ops, kMaxOps));
  if (p.format == kFormatV2)
    p.switches.reserve(std::min<size_t>(n_switches, kMaxSwitches));
  else
    p.step_switches.reserve(std::min<size_t>(n_switches, kMaxSwitches));

  uint64_t carry = 0;
  uint64_t last_point = 0;
  for (size_t i = header_size(data, size); i + 1 < size; i += 2) {
    const uint8_t k = data[i], v = data[i + 1];
    if (k < kSwitch) {
      if (p.ops.size() == kMaxOps) continue;
      OpKind kind = static_cast<OpKind>(k % kNumOpKinds);
      p.ops.push_back({.thread = 1 + (v & 3) % p.threads,
                       .kind = kind,
                       .arg = decode_arg(arg_kind(kind), v >> 2)});
    } else if (k == kExtend) {
      carry = (carry << 8 | v) & 0xffffff;
    } else if (p.format == kFormatV2) {
      uint64_t nth = 1 + (carry << 3 | (k >> 4 & 7));
      carry = 0;
      Switch s{.at = {.thread = 1 + (k & 3) % p.threads,
                      .site = static_cast<Site>(v % kNumSites),
                      .nth = static_cast<uint32_t>(nth)},
               .thread = 1 + (k >> 2 & 3) % p.threads};
      if (p.switches.size() == kMaxSwitches || nth > kMaxNth ||
          s.at.thread == s.thread ||
          std::find_if(p.switches.begin(), p.switches.end(),
                       [&](const Switch &o) { return o.at == s.at; }) !=
              p.switches.end())
        continue;
      p.switches.push_back(s);
    } else {
      uint64_t point = last_point + 1 + (carry << 8 | v);
      carry = 0;
      if (p.step_switches.size() == kMaxSwitches || point > UINT32_MAX)
        continue;
      p.step_switches.push_back({.point = static_cast<uint32_t>(point),
                                 .thread = 1 + (k & 3) % p.threads});
      last_point = point;
    }
    if (p.ops.size() == kMaxOps && (p.switches.size() == kMaxSwitches ||
                                    p.step_switches.size() == kMaxSwitches))
      break;
  }
  return p;
}

namespace {

// High bytes of `high` as carry records, most significant first.
void push_carry(std::vector<uint8_t> &out, uint32_t high) {
  uint8_t bytes[4];
  int n = 0;
  for (; high; high >>= 8) bytes[n++] = high & 0xff;
  while (n > 0) {
    out.push_back(kExtend);
    out.push_back(bytes[--n]);
  }
}

}  // namespace

std::vector<uint8_t> encode(const Program &p) {
  const bool v3 = p.format == kFormatV2 && !p.limits.is_default();
  std::vector<uint8_t> out(v3 ? kHeaderSize : kHeaderSizeV2);
  // Two bytes a record, and room for a carry record before each switch.
  out.reserve(out.size() + 2 * p.ops.size() +
              4 * (p.switches.size() + p.step_switches.size()));
  out[0] = v3 ? kBytesV3 : static_cast<uint8_t>(p.format);
  out[1] = ((p.threads - kMinThreads) & 3) |
           (static_cast<uint8_t>(p.protocol) & 3) << 2 |
           (p.privileged & thread_mask(kMaxThreads)) << 3;
  out[2] = (p.fail_alloc ? 0x80 | ((p.fail_alloc - 1) & 31) : 0) |
           (p.format == kFormatV2 && p.policy.conflicts ? 0x40 : 0);
  const uint32_t policy = p.policy.pack();
  for (int i = 0; i < 4; ++i) out[3 + i] = policy >> (8 * i);
  if (v3) {
    const int tasks_below = kMaxTasks - p.limits.tasks;
    const int mounts_below = kMaxMountsPerNs - p.limits.mounts;
    out[7] = (tasks_below & 15) | (mounts_below & 15) << 4;
  }
  for (const Op &op : p.ops) {
    out.push_back(static_cast<uint8_t>(op.kind));
    out.push_back(((op.thread - 1) & 3) | encode_arg(arg_kind(op.kind), op.arg)
                                              << 2);
  }
  if (p.ops.empty() && p.switches.empty() && p.step_switches.empty())
    while (out.size() > 1 && out.back() == 0) out.pop_back();  // shortest
  for (const Switch &s : p.switches) {
    uint32_t n = s.at.nth - 1;
    push_carry(out, n >> 3);
    out.push_back(kSwitch | (n & 7) << 4 | ((s.thread - 1) & 3) << 2 |
                  ((s.at.thread - 1) & 3));
    out.push_back(static_cast<uint8_t>(s.at.site));
  }
  uint32_t last = 0;
  for (const StepSwitch &s : p.step_switches) {
    uint32_t gap = s.point - last - 1;
    last = s.point;
    push_carry(out, gap >> 8);
    out.push_back(kSwitch | ((s.thread - 1) & 3));
    out.push_back(gap & 0xff);
  }
  return out;
}

}  // namespace nsfuzz
