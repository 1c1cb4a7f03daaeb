// Scope: every small Program, modulo symmetry, in one fixed order.
//
// A scope is a bound on the Program: threads (from 2), operations in all,
// fail_alloc 0..faults. Within it, every Program whose operations come from
// the alphabet below, each thread's in its own order (how the threads'
// operations interleave is the explorer's business, not the Program's),
// with every privileged set. The alphabet is ops.def with representative
// arguments (alphabet()): every FLAGS op with the flag sets that build one
// or two namespaces, every TASK op on init, each thread and the first clone
// child, and every NAME op on names 0..ops-1.
//
// Symmetry. Two Programs are the same Program when one is the other with
// (a) its threads renamed (with the TASK arguments that name them and the
// privileged bits: children are numbered in creation order and init is
// init, so a run of one is a run of the other with its threads renamed),
// (b) its names renamed (no name means anything before an operation uses
// it: hostnames h*, mount points m*, each renamed in order of first use),
// or (c) a privileged bit changed on a thread whose operations never ask
// capable() (clone with flags, unshare, sethostname, mount, umount, setns
// do; a clone child inherits the bit but runs nothing). Of each class, the
// sweep runs one: the representative, whose key is the smallest.
#ifndef NSFUZZ_FUZZERS_VERIFY_SCOPE_H_
#define NSFUZZ_FUZZERS_VERIFY_SCOPE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/protocol.h"
#include "fuzzers/program/program.h"

namespace nsfuzz {

struct Scope {
  Protocol protocol = Protocol::rcu_2007;
  int threads = 2;  // at most (kMinThreads..kMaxThreads)
  int ops = 3;      // operations in all, at most (0..kMaxOps)
  int faults = 0;   // fail_alloc 1..faults too (0..kMaxFailAlloc)
  // Every Program's (core/limits.h), tasks raised to init + its threads:
  // lowered, a small Program reaches what only a full table does.
  Limits limits;
  bool operator==(const Scope &) const = default;
};

// "threads<=2 ops<=3 faults<=0" (and " limits tasks=3 mounts=2" when they
// are lowered): the scope as a person reads it.
std::string scope_name(const Scope &s);

// The operations a Program of `threads` threads and `ops` operations in
// all draws from, in a fixed order (op and argument).
std::vector<Op> alphabet(int threads, int ops);

// Whether operation `op` asks capable(CAP_SYS_ADMIN).
bool asks_capable(const Op &op);

// The representative of p's class (see above): the Program with the
// smallest key of those symmetry makes of it. Its ops are listed thread by
// thread.
Program representative(const Program &p);

// Every Program of the scope, in order: by operations in all, then
// threads, then fail_alloc, then how many operations each thread runs,
// then privileged set, then operations (in alphabet order). `each` gets
// each Program and whether it is the representative of its class; it
// returns false to stop. Returns how many it went through.
uint64_t for_each_program(
    const Scope &s,
    const std::function<bool(const Program &, bool representative)> &each);

// How many Programs the scope has, and how many representatives.
struct ScopeSize {
  uint64_t programs = 0, representatives = 0;
};
ScopeSize scope_size(const Scope &s);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_VERIFY_SCOPE_H_
