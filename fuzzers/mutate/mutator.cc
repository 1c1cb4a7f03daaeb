// Structure-aware mutation and crossover of Programs.
#include "fuzzers/mutate/mutator.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

#include "core/uapi.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/program/validate.h"

namespace nsfuzz {
namespace {

// One CLONE_NEW* flag (core/uapi.h's table), at random.
uint32_t random_flag(Rng &rng) {
  return kCloneFlags[rng.below(kNumCloneFlags)].bit;
}

int other_thread(Rng &rng, int thread, int threads) {
  return 1 + (thread - 1 + 1 + rng.below(threads - 1)) % threads;
}

// Arguments skew to the few values that make ops collide: the first tasks,
// the first names, one flag at a time.
uint32_t random_arg(Rng &rng, OpKind kind, int threads) {
  switch (arg_kind(kind)) {
    case ArgKind::NONE: return 0;
    case ArgKind::FLAGS:
      if (rng.one_in(3)) return rng.below(2) ? kCloneNewAll : 0;
      return rng.below(2) ? random_flag(rng)
                          : random_flag(rng) | random_flag(rng);
    case ArgKind::TASK:
      return rng.one_in(4) ? rng.below(kMaxTaskArg + 1)
                           : rng.below(threads + 3);
    case ArgKind::NAME:
      return rng.one_in(4) ? rng.below(kMaxNameArg + 1) : rng.below(3);
  }
  return 0;
}

Op random_op(Rng &rng, int threads) {
  Op op;
  op.thread = 1 + rng.below(threads);
  op.kind = static_cast<OpKind>(rng.below(kNumOpKinds));
  op.arg = random_arg(rng, op.kind, threads);
  return op;
}

// A different valid argument for `op`, nudged or redrawn.
uint32_t other_arg(Rng &rng, const Op &op, int threads) {
  switch (arg_kind(op.kind)) {
    case ArgKind::NONE: return 0;
    case ArgKind::FLAGS: return op.arg ^ random_flag(rng);
    case ArgKind::TASK:
    case ArgKind::NAME: {
      const uint32_t max =
          arg_kind(op.kind) == ArgKind::TASK ? kMaxTaskArg : kMaxNameArg;
      if (rng.one_in(3)) return random_arg(rng, op.kind, threads);
      if (op.arg == max || (op.arg > 0 && rng.below(2))) return op.arg - 1;
      return op.arg + 1;
    }
  }
  return op.arg;
}

// What a mutation may ask: the anchors a run passes (asked for once, when
// first needed), and the schedule search's ablations.
class Context {
 public:
  Context(const Program &p, const AnchorsOf &of, const ScheduleSearch &search)
      : search(search), p_(p), of_(of) {}
  const ScheduleSearch &search;
  const std::vector<Anchor> *anchors() {
    if (!of_) return nullptr;
    if (!asked_) list_ = of_(p_), asked_ = true;
    return list_.empty() ? nullptr : &list_;
  }

 private:
  const Program &p_;
  const AnchorsOf &of_;
  std::vector<Anchor> list_;
  bool asked_ = false;
};

// An anchor the run passes when that is known; otherwise (or one time in
// eight, for what the run has not reached yet) a thread that has ops, any
// site, and mostly an early pass of it.
Anchor random_anchor(Rng &rng, const Program &p, Context &known) {
  if (const std::vector<Anchor> *list = known.anchors(); list && !rng.one_in(8))
    return (*list)[rng.below(list->size())];
  Anchor a;
  a.thread = p.ops.empty() ? 1 + rng.below(p.threads)
                           : p.ops[rng.below(p.ops.size())].thread;
  a.site = static_cast<Site>(rng.below(kNumSites));
  a.nth = 1 + (rng.one_in(3) ? rng.below(6) : 0);
  return a;
}

// Drops switches that no longer make sense (to themselves, a repeated
// anchor), then any beyond kMaxSwitches.
void normalize_switches(Program &p) {
  std::vector<Switch> kept;
  for (const Switch &s : p.switches) {
    bool repeat = std::any_of(kept.begin(), kept.end(),
                              [&](const Switch &k) { return k.at == s.at; });
    if (s.at.thread != s.thread && !repeat &&
        kept.size() < static_cast<size_t>(kMaxSwitches))
      kept.push_back(s);
  }
  p.switches = std::move(kept);
}

// Fits ops, switches, privileged bits and the task limit to a (new) thread
// count: the limits stay the parent's, the tasks raised as far as init and
// the threads need.
void refit_threads(Program &p) {
  p.limits.tasks = std::max(p.limits.tasks, 1 + p.threads);
  for (Op &op : p.ops) op.thread = 1 + (op.thread - 1) % p.threads;
  for (Switch &s : p.switches) {
    s.at.thread = 1 + (s.at.thread - 1) % p.threads;
    s.thread = 1 + (s.thread - 1) % p.threads;
  }
  normalize_switches(p);
  p.privileged &= thread_mask(p.threads);
}

// Index of a random op whose argument can change, or -1.
int op_with_arg(Rng &rng, const Program &p) {
  std::vector<int> candidates;
  for (size_t i = 0; i < p.ops.size(); ++i)
    if (arg_kind(p.ops[i].kind) != ArgKind::NONE) candidates.push_back(i);
  if (candidates.empty()) return -1;
  return candidates[rng.below(candidates.size())];
}

// One function a mutation of mutations.def, each leaving `p` valid.

namespace mutations {

void insert_op(Program &p, Rng &rng, Context &) {
  const size_t n_ops = p.ops.size();
  if (n_ops < kMaxOps)
    p.ops.insert(p.ops.begin() + rng.below(n_ops + 1),
                 random_op(rng, p.threads));
}

void delete_op(Program &p, Rng &rng, Context &) {
  const size_t n_ops = p.ops.size();
  if (!n_ops) return;
  size_t i = rng.below(n_ops);
  size_t len = std::min<size_t>(n_ops - i, rng.one_in(4) ? 3 : 1);
  p.ops.erase(p.ops.begin() + i, p.ops.begin() + i + len);
}

void duplicate_op(Program &p, Rng &rng, Context &) {
  const size_t n_ops = p.ops.size();
  if (!n_ops || n_ops >= kMaxOps) return;
  size_t i = rng.below(n_ops);
  size_t len = std::min({n_ops - i, kMaxOps - n_ops, size_t{1} + rng.below(3)});
  std::vector<Op> run(p.ops.begin() + i, p.ops.begin() + i + len);
  if (rng.below(2)) {  // the same run, as another thread's
    int t = other_thread(rng, run[0].thread, p.threads);
    for (Op &op : run) op.thread = t;
  }
  p.ops.insert(p.ops.begin() + rng.below(n_ops + 1), run.begin(), run.end());
}

void swap_ops(Program &p, Rng &rng, Context &) {
  const size_t n_ops = p.ops.size();
  if (n_ops >= 2) std::swap(p.ops[rng.below(n_ops)], p.ops[rng.below(n_ops)]);
}

void change_arg(Program &p, Rng &rng, Context &) {
  if (int i = op_with_arg(rng, p); i >= 0)
    p.ops[i].arg = other_arg(rng, p.ops[i], p.threads);
}

void change_kind(Program &p, Rng &rng, Context &) {
  if (p.ops.empty()) return;
  Op &op = p.ops[rng.below(p.ops.size())];
  ArgKind before = arg_kind(op.kind);
  op.kind = static_cast<OpKind>(
      (static_cast<int>(op.kind) + 1 + rng.below(kNumOpKinds - 1)) %
      kNumOpKinds);
  if (arg_kind(op.kind) != before) op.arg = random_arg(rng, op.kind, p.threads);
}

void move_op_thread(Program &p, Rng &rng, Context &) {
  if (p.ops.empty()) return;
  Op &op = p.ops[rng.below(p.ops.size())];
  op.thread = other_thread(rng, op.thread, p.threads);
}

void add_switch(Program &p, Rng &rng, Context &ctx) {
  const size_t n_sw = p.switches.size();
  if (n_sw >= kMaxSwitches) return;
  Anchor at = random_anchor(rng, p, ctx);
  p.switches.insert(p.switches.begin() + rng.below(n_sw + 1),
                    {at, other_thread(rng, at.thread, p.threads)});
  normalize_switches(p);
}

// Another pass of the site, or another site.
void move_switch(Program &p, Rng &rng, Context &ctx) {
  const size_t n_sw = p.switches.size();
  if (!n_sw) return;
  Anchor &at = p.switches[rng.below(n_sw)].at;
  const std::vector<Anchor> *list = ctx.anchors();
  auto here = list ? std::find(list->begin(), list->end(), at)
                   : std::vector<Anchor>::const_iterator{};
  if (list && here != list->end()) {
    // A few points on or back in the same thread's run.
    int step = rng.below(2) ? 1 : -1, hops = 1 + rng.below(3);
    for (auto it = here; hops > 0;) {
      if (step < 0 && it == list->begin()) break;
      it += step;
      if (it == list->end()) break;
      if (it->thread == at.thread) at = *it, --hops;
    }
  } else if (rng.below(2))
    at.nth =
        at.nth > 1 && rng.below(2) ? at.nth - 1 : std::min(at.nth + 1, kMaxNth);
  else
    at.site = static_cast<Site>(rng.below(kNumSites));
  normalize_switches(p);
}

void delete_switch(Program &p, Rng &rng, Context &) {
  if (!p.switches.empty())
    p.switches.erase(p.switches.begin() + rng.below(p.switches.size()));
}

void change_switch_thread(Program &p, Rng &rng, Context &) {
  if (p.switches.empty()) return;
  Switch &s = p.switches[rng.below(p.switches.size())];
  s.thread = other_thread(rng, s.thread, p.threads);
  normalize_switches(p);
}

void change_threads(Program &p, Rng &rng, Context &) {
  p.threads = kMinThreads + (p.threads - kMinThreads + 1 +
                             rng.below(kMaxThreads - kMinThreads)) %
                                (kMaxThreads - kMinThreads + 1);
  refit_threads(p);
}

void change_protocol(Program &p, Rng &rng, Context &) {
  p.protocol = static_cast<Protocol>(
      (static_cast<int>(p.protocol) + 1 + rng.below(kNumProtocols - 1)) %
      kNumProtocols);
}

void change_privileged(Program &p, Rng &rng, Context &) {
  p.privileged ^= 1u << (1 + rng.below(p.threads));
}

void change_fail_alloc(Program &p, Rng &rng, Context &) {
  if (p.fail_alloc && rng.one_in(3)) {
    p.fail_alloc = 0;
  } else if (p.fail_alloc && rng.below(2)) {  // a neighbouring allocation
    p.fail_alloc = p.fail_alloc == kMaxFailAlloc       ? p.fail_alloc - 1
                   : p.fail_alloc == 1 || rng.below(2) ? p.fail_alloc + 1
                                                       : p.fail_alloc - 1;
  } else {
    p.fail_alloc = 1 + rng.below(kMaxFailAlloc);
  }
}

// The priorities, or one change point (a conflicting one: nudged).
void change_policy(Program &p, Rng &rng, Context &) {
  uint8_t &cp = p.policy.preempt[rng.below(3)];
  if (rng.below(2))
    p.policy.priorities = static_cast<uint8_t>(rng.next());
  else if (p.policy.conflicts && cp)
    cp = rng.below(2) && cp > 1 ? cp - 1
                                : std::min<int>(cp + 1, Policy::kMaxPoint);
  else
    cp = rng.one_in(3) ? 0 : 1 + rng.below(Policy::kMaxPoint);
}

// A fresh schedule: no switches, a conflict-counting PCT policy.
void reschedule(Program &p, Rng &rng, Context &ctx) {
  if (!ctx.search.reschedule) return;
  p.switches.clear();
  p.policy = conflict_schedule(rng, ctx.search);
}

}  // namespace mutations

struct MutationInfo {
  std::string_view name;
  int weight;
  void (*apply)(Program &p, Rng &rng, Context &ctx);
  std::string_view doc;
};
constexpr MutationInfo kMutations[] = {
#define MUTATION(name, weight, doc) {#name, weight, &mutations::name, doc},
#include "fuzzers/mutate/mutations.def"
#undef MUTATION
};
static_assert(std::size(kMutations) == kNumMutations);

constexpr int kTotalWeight = [] {
  int total = 0;
  for (const MutationInfo &m : kMutations) total += m.weight;
  return total;
}();
static_assert(
    [] {
      for (const MutationInfo &m : kMutations)
        if (m.weight <= 0) return false;
      return true;
    }(),
    "a mutation of mutations.def has no positive weight: it never runs");

void apply(Program &p, Mutation m, Rng &rng, Context &ctx) {
  kMutations[static_cast<int>(m)].apply(p, rng, ctx);
}

}  // namespace

std::string_view mutation_name(Mutation m) {
  return kMutations[static_cast<int>(m)].name;
}
int mutation_weight(Mutation m) {
  return kMutations[static_cast<int>(m)].weight;
}
std::string_view mutation_doc(Mutation m) {
  return kMutations[static_cast<int>(m)].doc;
}

// A v1 Program mutates as v2: its step switches meant where they fell in
// one run, which any mutation moves.
Program as_v2(const Program &p) {
  if (p.format == kFormatV2) return p;
  Program q = p;
  q.format = kFormatV2;
  q.step_switches.clear();
  return q;
}

Policy conflict_schedule(Rng &rng, const ScheduleSearch &search) {
  Policy p;
  p.conflicts = true;
  p.priorities = static_cast<uint8_t>(rng.next());
  uint8_t *cp = p.preempt;
  cp[0] = 1 + rng.below(kConflictHorizon);
  if (search.windows) {
    cp[1] = cp[0] + 1 + rng.below(kMaxWindow);
    if (rng.one_in(4)) cp[2] = cp[1] + 1 + rng.below(kMaxWindow);
  } else {
    cp[1] = 1 + rng.below(kConflictHorizon);
    if (rng.one_in(4)) cp[2] = 1 + rng.below(kConflictHorizon);
  }
  return p;
}

Program mutate(const Program &p, Mutation m, uint64_t seed,
               const AnchorsOf &anchors_of, const ScheduleSearch &search) {
  Rng rng(seed);
  const Program base = as_v2(p);
  Context ctx(base, anchors_of, search);
  Program q = base;
  apply(q, m, rng, ctx);
  return q;
}

Program mutate(const Program &input, uint64_t seed, const AnchorsOf &anchors_of,
               const ScheduleSearch &search) {
  Rng rng(seed);
  const Program p = as_v2(input);
  Context ctx(p, anchors_of, search);
  Program q = p;
  for (int attempt = 0; attempt < 8 && q == p; ++attempt) {
    int pick = rng.below(kTotalWeight), m = 0;
    while (pick >= kMutations[m].weight) pick -= kMutations[m++].weight;
    apply(q, static_cast<Mutation>(m), rng, ctx);
  }
  return q;
}

Program crossover(const Program &a_in, const Program &b_in, uint64_t seed,
                  const ScheduleSearch &search) {
  const Program a = as_v2(a_in), b = as_v2(b_in);
  Rng rng(seed);
  Program c = a;  // header from a, each field possibly from b
  if (rng.below(2)) c.threads = b.threads;
  if (rng.one_in(4)) c.protocol = b.protocol;
  if (rng.one_in(4)) c.privileged = b.privileged;
  if (rng.one_in(4)) c.fail_alloc = b.fail_alloc;
  if (rng.one_in(4)) c.policy = b.policy;

  // Ops: a's prefix and b's suffix, or a run of b's inside a.
  size_t i = rng.below(a.ops.size() + 1), j = rng.below(b.ops.size() + 1);
  c.ops.assign(a.ops.begin(), a.ops.begin() + i);
  if (rng.below(2)) {
    c.ops.insert(c.ops.end(), b.ops.begin() + j, b.ops.end());
  } else {
    size_t len = rng.below(b.ops.size() - j + 1);
    c.ops.insert(c.ops.end(), b.ops.begin() + j, b.ops.begin() + j + len);
    c.ops.insert(c.ops.end(), a.ops.begin() + i, a.ops.end());
  }
  if (c.ops.size() > kMaxOps) c.ops.resize(kMaxOps);

  // New ops make the parents' schedules mean little: every child gets a
  // fresh one. Only the no-reschedule ablation splices the parents'
  // switches: a's first ones, then b's from some point on (drawn either
  // way, so that a seed makes the same child in both).
  size_t ka = rng.below(a.switches.size() + 1);
  size_t kb = rng.below(b.switches.size() + 1);
  c.switches.clear();
  if (!search.reschedule) {
    c.switches.assign(a.switches.begin(), a.switches.begin() + ka);
    c.switches.insert(c.switches.end(), b.switches.begin() + kb,
                      b.switches.end());
  }
  refit_threads(c);
  if (search.reschedule) c.policy = conflict_schedule(rng, search);
  return c;
}

size_t custom_mutate(uint8_t *data, size_t size, size_t max_size, unsigned seed,
                     ByteMutator byte_mutate, const AnchorsOf &anchors_of,
                     const ScheduleSearch &search) {
  Rng rng(seed);
  if (byte_mutate && rng.one_in(8)) return byte_mutate(data, size, max_size);
  const Program p = program_to_mutate(data, size);
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::vector<uint8_t> bytes =
        encode(mutate(p, rng.next(), anchors_of, search));
    if (bytes.size() <= max_size) {
      std::memcpy(data, bytes.data(), bytes.size());
      return bytes.size();
    }
  }
  if (byte_mutate) return byte_mutate(data, size, max_size);
  size = std::min(size, max_size);
  if (size == 0) return 0;
  data[rng.below(size)] ^= 1u << rng.below(8);
  return size;
}

size_t custom_crossover(const uint8_t *data1, size_t size1,
                        const uint8_t *data2, size_t size2, uint8_t *out,
                        size_t max_out, unsigned seed,
                        const ScheduleSearch &search) {
  std::vector<uint8_t> bytes =
      encode(crossover(program_to_mutate(data1, size1),
                       program_to_mutate(data2, size2), seed, search));
  if (bytes.size() > max_out) return 0;
  std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

}  // namespace nsfuzz
