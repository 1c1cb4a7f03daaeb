// Test helpers: Programs from text, from files and from deterministic random
// bytes.
#ifndef NSFUZZ_FUZZERS_TESTING_TESTING_PROGRAMS_H_
#define NSFUZZ_FUZZERS_TESTING_TESTING_PROGRAMS_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzzers/mutate/mutator.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/program/program_text.h"

namespace nsfuzz::testing {

// The Program a test writes as text; a parse error fails the test. A text
// without its first line is v1 (the tests written before v2).
inline Program ParseOrFail(const std::string &text) {
  ParseResult r = parse_program(text.substr(0, kTextMagic.size()) == kTextMagic
                                    ? text
                                    : std::string(kTextMagic) + " v1\n" + text);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.program;
}

// The Program in a file (text or bytes); a read error fails the test.
inline Program LoadOrFail(const std::string &path) {
  LoadedProgram in = load_program(path);
  EXPECT_TRUE(in.ok()) << in.error;
  return in.program;
}

inline std::vector<uint8_t> RandomBytes(Rng &rng, size_t n) {
  std::vector<uint8_t> bytes(n);
  for (uint8_t &b : bytes) b = rng.next();
  return bytes;
}

// n Programs of every shape, decoded from random bytes: shorter than
// `len`, and shorter than `big_len` for every `big_every`-th one.
inline std::vector<Program> RandomPrograms(int n, uint64_t seed, size_t len,
                                           size_t big_len, int big_every) {
  std::vector<Program> out;
  Rng rng(seed);
  for (int i = 0; i < n; ++i)
    out.push_back(
        decode(RandomBytes(rng, rng.below(i % big_every ? len : big_len))));
  return out;
}

}  // namespace nsfuzz::testing

#endif  // NSFUZZ_FUZZERS_TESTING_TESTING_PROGRAMS_H_
