// The historical nsproxy access protocols a world can run (protocols.def).
#ifndef NSFUZZ_CORE_PROTOCOL_H_
#define NSFUZZ_CORE_PROTOCOL_H_

#include <optional>
#include <string_view>

namespace nsfuzz {

enum class Protocol : unsigned char {
#define PROTOCOL(name, doc) name,
#include "core/protocols.def"
#undef PROTOCOL
};

// Every protocol, in protocols.def's order.
inline constexpr Protocol kAllProtocols[] = {
#define PROTOCOL(name, doc) Protocol::name,
#include "core/protocols.def"
#undef PROTOCOL
};
inline constexpr int kNumProtocols =
    static_cast<int>(sizeof kAllProtocols / sizeof kAllProtocols[0]);

constexpr std::string_view protocol_name(Protocol p) {
  constexpr std::string_view kNames[] = {
#define PROTOCOL(name, doc) #name,
#include "core/protocols.def"
#undef PROTOCOL
  };
  int i = static_cast<int>(p);
  return i < kNumProtocols ? kNames[i] : "?";
}

constexpr std::optional<Protocol> parse_protocol(std::string_view s) {
  for (Protocol p : kAllProtocols)
    if (protocol_name(p) == s) return p;
  return std::nullopt;
}

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_PROTOCOL_H_
