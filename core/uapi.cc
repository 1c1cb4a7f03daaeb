// Printing and parsing of the model's user-visible constants.
#include "core/uapi.h"

#include <cstdio>

namespace nsfuzz {

std::string clone_flags_name(uint32_t flags) {
  if (flags == 0) return "0";
  std::string out;
  for (const CloneFlag &f : kCloneFlags) {
    if (!(flags & f.bit)) continue;
    if (!out.empty()) out += '|';
    out += f.name;
    flags &= ~f.bit;
  }
  if (flags) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", flags);
    if (!out.empty()) out += '|';
    out += hex;
  }
  return out;
}

std::optional<uint32_t> parse_clone_flags(std::string_view s) {
  if (s == "0") return 0u;
  uint32_t flags = 0;
  while (!s.empty()) {
    size_t bar = s.find('|');
    std::string_view word = s.substr(0, bar);
    bool found = false;
    for (const CloneFlag &f : kCloneFlags)
      if (word == f.name) flags |= f.bit, found = true;
    if (!found && word.size() > 2 && word.substr(0, 2) == "0x") {
      uint32_t v = 0;
      for (char c : word.substr(2)) {
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                         : -1;
        if (d < 0 || v > 0x0fffffffu) return std::nullopt;
        v = v * 16 + d;
      }
      flags |= v, found = true;
    }
    if (!found) return std::nullopt;
    if (bar == std::string_view::npos) break;
    s.remove_prefix(bar + 1);
    if (s.empty()) return std::nullopt;  // trailing '|'
  }
  return flags;
}

std::string errno_name(int ret) {
  switch (ret) {
    case 0: return "0";
    case -EPERM: return "-EPERM";
    case -ENOENT: return "-ENOENT";
    case -ESRCH: return "-ESRCH";
    case -EAGAIN: return "-EAGAIN";
    case -ENOMEM: return "-ENOMEM";
    case -EBUSY: return "-EBUSY";
    case -EINVAL: return "-EINVAL";
  }
  return std::to_string(ret);
}

}  // namespace nsfuzz
