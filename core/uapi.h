// The user-visible constants of the model: CLONE_NEW* flags and errno values.
#ifndef NSFUZZ_CORE_UAPI_H_
#define NSFUZZ_CORE_UAPI_H_

#include <sched.h>

#include <cerrno>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace nsfuzz {

// CLONE_NEW* and E* come from the system headers (<sched.h>, <cerrno>):
// their values are the kernel's, and the model uses them as the kernel does.
struct CloneFlag {
  uint32_t bit;
  std::string_view name;  // as the text form prints it
};
// The namespaces the model has, in one order: bit i of a FLAGS argument's
// byte record (fuzzers/program/decoder.h) is kCloneFlags[i]. Append only.
inline constexpr CloneFlag kCloneFlags[] = {
    {CLONE_NEWNS, "NEWNS"},   {CLONE_NEWUTS, "NEWUTS"},
    {CLONE_NEWIPC, "NEWIPC"}, {CLONE_NEWPID, "NEWPID"},
    {CLONE_NEWNET, "NEWNET"},
};
inline constexpr int kNumCloneFlags = std::size(kCloneFlags);
inline constexpr uint32_t kCloneNewAll = [] {
  uint32_t all = 0;
  for (const CloneFlag &f : kCloneFlags) all |= f.bit;
  return all;
}();

// "NEWNS|NEWUTS", "0" for none; unknown bits print as hex.
std::string clone_flags_name(uint32_t flags);
// Parses what clone_flags_name prints; nullopt on an unknown word.
std::optional<uint32_t> parse_clone_flags(std::string_view s);
// "-EPERM" for -1, "0" for 0.
std::string errno_name(int ret);

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_UAPI_H_
