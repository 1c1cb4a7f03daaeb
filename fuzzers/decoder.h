// The binary form of a Program: what libFuzzer mutates and corpora store.
//
// decode() is total: every byte string, empty included, is a valid Program
// (see validate.h), in time linear in the input. encode() is its inverse on
// valid Programs: decode(encode(p)) == p. Layout, version 1:
//
//   byte 0     format version, 1. The decoder reads every other value as 1
//              too (it must be total), so a later version must take a new
//              value and keep decoding 1 exactly as now; encode() writes 1.
//   byte 1     bits 0-1: threads = 2 + v % 3; bits 2-3: protocol = v % 3
//              (Protocol's order); bits 4-7: privileged T1..T4 (bits beyond
//              `threads` are ignored).
//   byte 2     fail_alloc: bit 7 clear: 0; set: 1 + bits 0-4 (1..32).
//   bytes 3-6  policy_seed, little-endian.
//              A header cut short reads its missing bytes as 0 (encode()
//              cuts trailing zeros when no record follows).
//   then 2-byte records [k][v] to the end (an odd last byte is ignored):
//     k < 0x80   op of kind k % kNumOpKinds (ops.def order) on thread
//                1 + (v & 3) % threads; argument in v bits 2-6: FLAGS bit i
//                is the i-th of NEWNS, NEWUTS, NEWIPC, NEWPID, NEWNET; TASK
//                and NAME are bits 2-5 (0..15); other bits are ignored.
//                Ops past kMaxOps are ignored.
//     k < 0xff   switch to thread 1 + (k & 3) % threads (k bits 2-6 are
//                ignored) at point previous + 1 + (carry << 8 | v), previous
//                starting at 0; then carry = 0. A switch past kMaxSwitches
//                or beyond UINT32_MAX is dropped.
//     k = 0xff   carry = carry << 8 | v: the high bytes of a gap >= 257.
//
// Bits named "ignored" are 0 in encode()'s output. Only such canonical
// inputs are promised to keep their meaning when ops are appended to
// ops.def (k % kNumOpKinds then changes for non-canonical kinds); store
// encode(decode(x)), or the text form, rather than raw fuzzer bytes.
//
// The fixed-size records are what let libFuzzer's byte mutations make
// sensible changes: a changed byte changes one op's kind, thread or argument
// or one switch; a copied or erased byte pair inserts or deletes a record.
#ifndef NSFUZZ_FUZZERS_DECODER_H_
#define NSFUZZ_FUZZERS_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzzers/program.h"

namespace nsfuzz {

inline constexpr uint8_t kFormatVersion = 1;
inline constexpr size_t kHeaderSize = 7;

Program decode(const uint8_t *data, size_t size);
inline Program decode(const std::vector<uint8_t> &bytes) {
  return decode(bytes.data(), bytes.size());
}

inline constexpr size_t kMaxEncodedSize =
    kHeaderSize + 2 * kMaxOps + 8 * kMaxSwitches;

// The canonical bytes of a valid Program: 1 to kMaxEncodedSize bytes.
std::vector<uint8_t> encode(const Program &p);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_DECODER_H_
