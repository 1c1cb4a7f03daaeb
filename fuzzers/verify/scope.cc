// Scope enumeration and its symmetry (see scope.h).
#include "fuzzers/verify/scope.h"

#include <algorithm>
#include <numeric>

#include "core/uapi.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/program_text.h"

namespace nsfuzz {

std::string scope_name(const Scope &s) {
  return "threads<=" + std::to_string(s.threads) +
         " ops<=" + std::to_string(s.ops) +
         " faults<=" + std::to_string(s.faults) +
         (s.limits.is_default() ? "" : " limits " + print_limits(s.limits));
}

std::vector<Op> alphabet(int threads, int ops) {
  // Flag sets: clone shares or copies (one namespace is enough: which one
  // does not change how the nsproxy is shared); unshare builds one of
  // each kind, or two (the error path between them).
  const uint32_t ns = CLONE_NEWNS, uts = CLONE_NEWUTS;
  std::vector<Op> a;
  for (int k = 0; k < kNumOpKinds; ++k) {
    OpKind kind = static_cast<OpKind>(k);
    switch (arg_kind(kind)) {
      case ArgKind::NONE: a.push_back({1, kind, 0}); break;
      case ArgKind::FLAGS:
        if (kind == OpKind::clone)
          for (uint32_t f : {0u, ns}) a.push_back({1, kind, f});
        else
          for (uint32_t f : {ns, uts, ns | uts}) a.push_back({1, kind, f});
        break;
      case ArgKind::TASK:  // init, the threads, the first clone child
        for (int t = 0; t <= threads + 1; ++t)
          a.push_back({1, kind, static_cast<uint32_t>(t)});
        break;
      case ArgKind::NAME:
        for (int n = 0; n < std::clamp(ops, 1, kMaxNameArg + 1); ++n)
          a.push_back({1, kind, static_cast<uint32_t>(n)});
        break;
    }
  }
  return a;
}

bool asks_capable(const Op &op) {
  switch (op.kind) {
    case OpKind::clone: return op.arg != 0;
    case OpKind::unshare:
    case OpKind::sethostname:
    case OpKind::mount:
    case OpKind::umount:
    case OpKind::setns: return true;
    default: return false;
  }
}

namespace {

// p with threads renamed (thread i becomes perm[i]), ops listed thread by
// thread, names renamed in order of first use, and the privileged bits of
// threads that never ask capable() cleared.
Program renamed(const Program &p, const int perm[kMaxThreads + 1]) {
  Program q = p;
  q.ops.clear();
  q.privileged = 0;
  for (int t = 1; t <= p.threads; ++t)
    for (const Op &op : p.ops) {
      if (perm[op.thread] != t) continue;
      Op o = op;
      o.thread = t;
      if (arg_kind(o.kind) == ArgKind::TASK && o.arg >= 1 &&
          o.arg <= static_cast<uint32_t>(p.threads))
        o.arg = static_cast<uint32_t>(perm[o.arg]);
      q.ops.push_back(o);
    }
  int next[2] = {0, 0};
  int name_of[2][kMaxNameArg + 1];
  std::fill(&name_of[0][0], &name_of[0][0] + 2 * (kMaxNameArg + 1), -1);
  for (Op &o : q.ops) {
    if (arg_kind(o.kind) != ArgKind::NAME) continue;
    int c = name_arg_letter(o.kind) == 'h' ? 0 : 1;
    int &n = name_of[c][o.arg];
    if (n < 0) n = next[c]++;
    o.arg = static_cast<uint32_t>(n);
  }
  for (int t = 1; t <= p.threads; ++t) {
    bool asks = false;
    for (const Op &o : q.ops) asks |= o.thread == t && asks_capable(o);
    int was = static_cast<int>(std::find(perm + 1, perm + p.threads + 1, t) -
                               perm);  // the thread that becomes t
    if (asks && (p.privileged >> was & 1)) q.privileged |= 1u << t;
  }
  return q;
}

// The order of representatives: per thread, its operations, then the
// privileged set.
std::vector<uint32_t> key(const Program &p) {
  std::vector<uint32_t> k;
  for (int t = 1; t <= p.threads; ++t) {
    size_t at = k.size();
    k.push_back(0);
    for (const Op &o : p.ops)
      if (o.thread == t) {
        ++k[at];
        k.insert(k.end(), {static_cast<uint32_t>(o.kind), o.arg});
      }
  }
  k.push_back(p.privileged);
  return k;
}

}  // namespace

Program representative(const Program &p) {
  int perm[kMaxThreads + 1];
  std::iota(perm, perm + kMaxThreads + 1, 0);
  Program best = renamed(p, perm);
  std::vector<uint32_t> best_key = key(best);
  while (std::next_permutation(perm + 1, perm + p.threads + 1)) {
    Program q = renamed(p, perm);
    std::vector<uint32_t> k = key(q);
    if (k < best_key) best = std::move(q), best_key = std::move(k);
  }
  return best;
}

namespace {

// Calls each(counts) for every way to give t threads n operations in all,
// counts[1..t], in lexicographic order.
template <typename Each>
bool for_each_split(int t, int n, int counts[kMaxThreads + 1], int at,
                    const Each &each) {
  if (at == t) {
    counts[at] = n;
    return each();
  }
  for (int k = 0; k <= n; ++k) {
    counts[at] = k;
    if (!for_each_split(t, n - k, counts, at + 1, each)) return false;
  }
  return true;
}

}  // namespace

uint64_t for_each_program(
    const Scope &s,
    const std::function<bool(const Program &, bool representative)> &each) {
  uint64_t seen = 0;
  for (int n = 0; n <= s.ops; ++n)
    for (int t = kMinThreads; t <= s.threads; ++t) {
      const std::vector<Op> a = alphabet(t, n);
      for (int f = 0; f <= s.faults; ++f) {
        int counts[kMaxThreads + 1] = {};
        bool more = for_each_split(t, n, counts, 1, [&] {
          for (uint32_t priv = 0; priv < (1u << t); ++priv) {
            Program p;
            p.protocol = s.protocol;
            p.threads = t;
            p.fail_alloc = static_cast<uint32_t>(f);
            p.limits = s.limits;
            p.limits.tasks = std::max(p.limits.tasks, 1 + t);
            p.privileged = priv << 1;
            for (int th = 1; th <= t; ++th)
              for (int i = 0; i < counts[th]; ++i)
                p.ops.push_back({th, a[0].kind, a[0].arg});
            std::vector<size_t> digit(n, 0);
            for (;;) {
              ++seen;
              if (!each(p, representative(p) == p)) return false;
              int i = n - 1;  // the next word: the last digit first
              while (i >= 0 && digit[i] + 1 == a.size()) {
                digit[i] = 0;
                p.ops[i].kind = a[0].kind, p.ops[i].arg = a[0].arg;
                --i;
              }
              if (i < 0) break;
              ++digit[i];
              p.ops[i].kind = a[digit[i]].kind, p.ops[i].arg = a[digit[i]].arg;
            }
          }
          return true;
        });
        if (!more) return seen;
      }
    }
  return seen;
}

ScopeSize scope_size(const Scope &s) {
  ScopeSize z;
  z.programs = for_each_program(s, [&](const Program &, bool rep) {
    z.representatives += rep;
    return true;
  });
  return z;
}

}  // namespace nsfuzz
