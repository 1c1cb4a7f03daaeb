// Fuzz target: decode is total, the byte and text forms round-trip, and
// the parser and mutator only ever produce valid Programs.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzzers/mutate/mutator.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/program/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace nsfuzz;
  const Program p = decode(data, size);
  if (!is_valid(p)) __builtin_trap();
  const std::vector<uint8_t> bytes = encode(p);
  if (bytes.size() > kMaxEncodedSize || decode(bytes) != p) __builtin_trap();
  const ParseResult parsed = parse_program(print_program(p));
  if (!parsed.ok() || parsed.program != p) __builtin_trap();
  // The same bytes as text: the parser accepts only valid Programs, whose
  // canonical text it reads back.
  const ParseResult as_text = parse_program(
      std::string_view(reinterpret_cast<const char *>(data), size));
  if (as_text.ok() && (!is_valid(as_text.program) ||
                       parse_program(print_program(as_text.program)).program !=
                           as_text.program))
    __builtin_trap();
  // The mutator keeps Programs valid.
  const uint64_t seed = size ? data[size - 1] * 0x100000001b3ull + size : 0;
  const Program half = decode(data + size / 2, size - size / 2);
  if (!is_valid(mutate(p, seed)) || !is_valid(crossover(p, half, seed)))
    __builtin_trap();
  return 0;
}
