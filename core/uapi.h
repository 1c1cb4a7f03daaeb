// The user-visible constants of the model: CLONE_NEW* flags and errno values.
#ifndef NSFUZZ_CORE_UAPI_H_
#define NSFUZZ_CORE_UAPI_H_

#include <sched.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nsfuzz {

// CLONE_NEW* and E* come from the system headers (<sched.h>, <cerrno>):
// their values are the kernel's, and the model uses them as the kernel does.
inline constexpr uint32_t kCloneNewAll =
    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET;

// "NEWNS|NEWUTS", "0" for none; unknown bits print as hex.
std::string clone_flags_name(uint32_t flags);
// Parses what clone_flags_name prints; nullopt on an unknown word.
std::optional<uint32_t> parse_clone_flags(std::string_view s);
// "-EPERM" for -1, "0" for 0.
std::string errno_name(int ret);

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_UAPI_H_
