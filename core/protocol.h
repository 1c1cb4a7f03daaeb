// The three historical nsproxy access protocols a world can run.
#ifndef NSFUZZ_CORE_PROTOCOL_H_
#define NSFUZZ_CORE_PROTOCOL_H_

#include <optional>
#include <string_view>

namespace nsfuzz {

enum class Protocol : unsigned char {
  // Readers of another task take task_lock(tsk); exit clears tsk->nsproxy
  // under task_lock, then puts it (Linux before cf7b708c8d1d, 2007).
  task_lock_2007,
  // cf7b708c8d1d "Make access to task's nsproxy lighter" (the seed patch):
  // readers use rcu_read_lock + task_nsproxy(); switch_task_namespaces
  // publishes with rcu_assign_pointer and waits synchronize_rcu() before
  // free_nsproxy when the count drops to zero.
  rcu_2007,
  // 728dba3a39c6 "namespaces: Use task_lock and not rcu to protect nsproxy"
  // (Linux 3.17, 2014): the swap happens under task_lock, readers take
  // task_lock, no synchronize_rcu.
  task_lock_2014,
};
inline constexpr int kNumProtocols = 3;

constexpr std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::task_lock_2007: return "task_lock_2007";
    case Protocol::rcu_2007: return "rcu_2007";
    case Protocol::task_lock_2014: return "task_lock_2014";
  }
  return "?";
}

constexpr std::optional<Protocol> parse_protocol(std::string_view s) {
  for (int i = 0; i < kNumProtocols; ++i)
    if (protocol_name(static_cast<Protocol>(i)) == s)
      return static_cast<Protocol>(i);
  return std::nullopt;
}

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_PROTOCOL_H_
