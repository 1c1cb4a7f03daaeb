// The model's capacities, and the Limits a world may lower them to.
//
// A failure path that only a full table reaches (fork past the task table,
// a mount past the namespace's mount table) takes a long Program at the
// full capacity and a short one at a lowered limit. The tables stay sized
// by the constants; a world enforces its Limits where the constants were.
#ifndef NSFUZZ_CORE_LIMITS_H_
#define NSFUZZ_CORE_LIMITS_H_

namespace nsfuzz {

inline constexpr int kMaxTasks = 16;        // a world's tasks, init included
inline constexpr int kMaxMountsPerNs = 16;  // a mount namespace's mounts

struct Limits {
  int tasks = kMaxTasks;         // 1..kMaxTasks: fork past it is -EAGAIN
  int mounts = kMaxMountsPerNs;  // 1..kMaxMountsPerNs (rootfs is one):
                                 // a mount past it is -ENOMEM
  bool operator==(const Limits &) const = default;
  bool is_default() const { return *this == Limits{}; }
};

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_LIMITS_H_
