// The operation table of ops.def as constexpr data: name, arg kind, doc.
#ifndef NSFUZZ_FUZZERS_PROGRAM_OP_TABLE_H_
#define NSFUZZ_FUZZERS_PROGRAM_OP_TABLE_H_

#include <iterator>
#include <optional>
#include <string_view>

#include "fuzzers/program/program.h"

namespace nsfuzz {

struct OpInfo {
  std::string_view name;
  ArgKind arg;
  std::string_view doc;
};

inline constexpr OpInfo kOpTable[] = {
#define OP(name, arg, doc) {#name, ArgKind::arg, doc},
#include "fuzzers/program/ops.def"
#undef OP
};
static_assert(std::size(kOpTable) == kNumOpKinds);

constexpr const OpInfo &op_info(OpKind k) {
  return kOpTable[static_cast<int>(k)];
}
constexpr std::string_view op_name(OpKind k) {
  return op_info(k).name;
}
constexpr ArgKind arg_kind(OpKind k) {
  return op_info(k).arg;
}

constexpr std::optional<OpKind> op_by_name(std::string_view name) {
  for (int i = 0; i < kNumOpKinds; ++i)
    if (kOpTable[i].name == name) return static_cast<OpKind>(i);
  return std::nullopt;
}

// The letter of a NAME argument in the text form: hostnames read h3, mount
// points m3, so that a person sees which name space the number indexes.
constexpr char name_arg_letter(OpKind k) {
  return k == OpKind::sethostname ? 'h' : 'm';
}

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_OP_TABLE_H_
