// Program-level delta debugging, then a byte-level pass.
#include "fuzzers/triage/minimize.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "fuzzers/program/decoder.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/validate.h"

namespace nsfuzz {
namespace {

class Minimizer {
 public:
  Minimizer(const StillFails &f, MinimizeStats *s, const StepsOf &st,
            const FindSchedule &fs, const OutOfBudget &ob)
      : fails_(f), stats_(s), steps_of_(st), find_(fs), out_of_budget_(ob) {}

  // Whether the budget is spent (once it is, for good).
  bool stopped() {
    if (!stopped_ && out_of_budget_ && out_of_budget_()) stopped_ = true;
    if (stopped_ && stats_) stats_->cut_short = true;
    return stopped_;
  }

  // Removes ops [start, end); when steps are known, first with their
  // thread's later switches re-anchored past the removed ops' passes.
  bool try_drop_ops(Program &p, size_t start, size_t end) {
    if (stopped()) return false;
    Program c = p;
    c.ops.erase(c.ops.begin() + start, c.ops.begin() + end);
    if (steps_of_) {
      Program anchored = drop_ops(p, start, end, steps_of_(p));
      if (anchored != c && try_keep(p, anchored)) return true;
    }
    return try_keep_any_schedule(p, c);
  }

  // Keeps `candidate`, or the same operations under a schedule the search
  // finds, if either still fails.
  bool try_keep_any_schedule(Program &current, const Program &candidate) {
    if (try_keep(current, candidate)) return true;
    if (!find_ || candidate == current || !is_valid(candidate) || stopped())
      return false;
    if (stats_) ++stats_->searches;
    std::optional<Program> found = find_(candidate);
    if (!found || *found == current || !is_valid(*found)) return false;
    current = *found;
    return true;
  }

  // The fewest-preemption schedule the search finds, if it has fewer
  // switches than the Program's.
  bool fewer_switches(Program &p) {
    if (!find_ || p.switches.empty() || stopped()) return false;
    if (stats_) ++stats_->searches;
    std::optional<Program> found = find_(p);
    if (!found || !is_valid(*found) ||
        found->switches.size() >= p.switches.size())
      return false;
    p = *found;
    return true;
  }

  // Keeps `candidate` if it is valid, different and still fails.
  bool try_keep(Program &current, const Program &candidate) {
    if (candidate == current || !is_valid(candidate) || stopped()) return false;
    if (stats_) ++stats_->tries;
    if (!fails_(candidate)) return false;
    current = candidate;
    return true;
  }

  bool drop_threads(Program &p) {
    bool changed = false;
    for (int t = p.threads; t >= 1 && p.threads > kMinThreads; --t) {
      Program c = p;
      c.threads = p.threads - 1;
      c.ops.clear();
      for (Op op : p.ops) {
        if (op.thread == t) continue;
        if (op.thread > t) --op.thread;
        c.ops.push_back(op);
      }
      c.switches.clear();
      for (Switch s : p.switches) {
        if (s.thread == t || s.at.thread == t) continue;
        if (s.thread > t) --s.thread;
        if (s.at.thread > t) --s.at.thread;
        c.switches.push_back(s);
      }
      uint32_t priv = 0;
      for (int u = 1, v = 1; u <= p.threads; ++u)
        if (u != t) priv |= ((p.privileged >> u) & 1u) << v++;
      c.privileged = priv;
      changed |= try_keep_any_schedule(p, c);
    }
    return changed;
  }

  // ddmin over a vector member: remove chunks of halving size.
  template <typename T>
  bool drop_items(Program &p, std::vector<T> Program::*items) {
    bool changed = false;
    for (size_t chunk = std::max<size_t>((p.*items).size() / 2, 1); chunk >= 1;
         chunk /= 2) {
      for (size_t start = 0; start < (p.*items).size();) {
        size_t end = std::min(start + chunk, (p.*items).size());
        bool kept;
        if constexpr (std::is_same_v<T, Op>) {
          kept = try_drop_ops(p, start, end);
        } else {
          Program c = p;
          auto &v = c.*items;
          v.erase(v.begin() + start, v.begin() + end);
          kept = try_keep(p, c);
        }
        if (kept)
          changed = true;  // the same start now holds the next items
        else
          start += chunk;
      }
      if (chunk == 1) break;
    }
    return changed;
  }

  bool simplify(Program &p) {
    bool changed = false;
    Program c = p;
    c.fail_alloc = 0;
    changed |= try_keep_any_schedule(p, c);
    for (int Limits::*limit : {&Limits::tasks, &Limits::mounts}) {
      c = p;
      c.limits.*limit = Limits{}.*limit;
      changed |= try_keep_any_schedule(p, c);
    }
    c = p;
    c.policy = Policy{};
    changed |= try_keep(p, c);
    c = p;
    std::fill(std::begin(c.policy.preempt), std::end(c.policy.preempt), 0);
    changed |= try_keep(p, c);
    for (int t = 1; t <= p.threads; ++t) {
      c = p;
      c.privileged &= ~(1u << t);
      changed |= try_keep(p, c);
    }
    for (size_t i = 0; i < p.ops.size(); ++i) {
      // Fewer flag bits; smaller task and name indices.
      for (int bit = 0; bit < 32; ++bit) {
        if (!(p.ops[i].arg & (1u << bit))) continue;
        c = p;
        if (arg_kind(c.ops[i].kind) == ArgKind::FLAGS)
          c.ops[i].arg &= ~(1u << bit);
        else
          c.ops[i].arg = 0;
        if (try_keep_any_schedule(p, c)) {
          changed = true;
          continue;
        }
        // A flag fewer with another allocation failing.
        if (arg_kind(c.ops[i].kind) != ArgKind::FLAGS || !p.fail_alloc)
          continue;
        for (uint32_t f = p.fail_alloc - 1; f >= 1 && f + 4 >= p.fail_alloc;
             --f) {
          Program both = c;
          both.fail_alloc = f;
          if (try_keep(p, both)) {
            changed = true;
            break;
          }
        }
      }
    }
    // Earlier passes where the finding allows: shorter prefixes.
    for (size_t i = 0; i < p.switches.size(); ++i) {
      while (p.switches[i].at.nth > 1) {
        c = p;
        --c.switches[i].at.nth;
        if (!try_keep(p, c)) break;
        changed = true;
      }
    }
    return changed;
  }

  bool byte_pass(Program &p) {
    bool changed = false;
    std::vector<uint8_t> bytes = encode(p);
    for (size_t at = header_size(bytes); at + 2 <= bytes.size();) {
      std::vector<uint8_t> b = bytes;
      b.erase(b.begin() + at, b.begin() + at + 2);
      if (try_keep(p, decode(b))) {
        bytes = encode(p);
        changed = true;
      } else {
        at += 2;
      }
    }
    return changed;
  }

 private:
  const StillFails &fails_;
  MinimizeStats *stats_;
  const StepsOf &steps_of_;
  const FindSchedule &find_;
  const OutOfBudget &out_of_budget_;
  bool stopped_ = false;
};

}  // namespace

Program minimize(const Program &input, const StillFails &still_fails,
                 MinimizeStats *stats, const StepsOf &steps_of,
                 const FindSchedule &find_schedule,
                 const OutOfBudget &out_of_budget) {
  Minimizer m(still_fails, stats, steps_of, find_schedule, out_of_budget);
  Program p = input;
  for (;;) {
    if (stats) ++stats->rounds;
    bool changed = m.drop_threads(p);
    changed |= m.drop_items(p, &Program::ops);
    changed |= m.drop_items(p, &Program::switches);
    changed |= m.simplify(p);
    if (!changed) changed = m.fewer_switches(p);
    if (!changed && !m.byte_pass(p)) break;
    if (m.stopped()) break;
  }
  return p;
}

}  // namespace nsfuzz
