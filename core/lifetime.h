// Lifetime accounting: every model object is counted in and out of a world.
//
// Each object starts with an ObjHeader and is listed in its world's object
// table. World::free_obj() marks it dead and counts it; a second free is a
// double free, a get or put on a dead object a use after free, and whatever is
// live at teardown a leak. Under ASan the memory is really freed at once
// (ASan's quarantine reports the use); in other builds it is kept, poisoned by
// the dead mark, until teardown, so the model still sees a use after free where
// no sanitizer would.
//
// All bookkeeping here uses relaxed atomics on purpose: it must not create
// happens-before edges between threads, which would hide from TSan the very
// races the harness is looking for.
#ifndef NSFUZZ_CORE_LIFETIME_H_
#define NSFUZZ_CORE_LIFETIME_H_

#include <atomic>
#include <cstdint>
#include <string_view>

namespace nsfuzz {

enum class ObjKind : unsigned char {
  nsproxy,
  uts_namespace,
  ipc_namespace,
  mnt_namespace,
  pid_namespace,
  net,
  mount,
};
inline constexpr int kNumObjKinds = 7;
std::string_view obj_kind_name(ObjKind k);

struct ObjHeader {
  explicit ObjHeader(ObjKind k) : kind(k) {}
  ObjKind kind;
  std::atomic<uint32_t> state{kAlive};
  int id = 0;     // per world, in allocation order: "nsproxy#3" in traces
  int slot = -1;  // index in the world's object table
  static constexpr uint32_t kAlive = 0xa11ce;
  static constexpr uint32_t kDead = 0xdead;
  bool alive() const { return state.load(std::memory_order_relaxed) == kAlive; }
  // No virtual destructor: a vptr would make UBSan's vptr check, not ASan,
  // report a use after free. World::destroy() deletes by kind.
};

struct LifetimeCounts {
  long allocated[kNumObjKinds] = {};
  long freed[kNumObjKinds] = {};
  long live(ObjKind k) const {
    return allocated[static_cast<int>(k)] - freed[static_cast<int>(k)];
  }
  long total_live() const;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_LIFETIME_H_
