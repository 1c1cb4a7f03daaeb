// The binary form of a Program: what libFuzzer mutates and corpora store.
//
// decode() is total: every byte string, empty included, is a valid Program
// (see validate.h), in time linear in the input. encode() is its inverse on
// valid Programs: decode(encode(p)) == p. Layout:
//
//   byte 0     format version: 2 reads as version 2, 3 as version 3; every
//              other value (there was only 1 before) reads as version 1,
//              exactly as it always has, so corpora and crash artifacts
//              keep their meaning. A later version must take a new value.
//              (Before version 3, a 3 read as version 1; encode() never
//              wrote one.) Version 3 is version 2 with the Program's limits
//              in byte 7, its records from byte 8: encode() writes it for a
//              v2 Program whose limits are not the defaults, and version 2
//              otherwise, so every Program without limits encodes as it
//              always has.
//   byte 1     bits 0-1: threads = 2 + v % 3; bits 2-3: protocol =
//              v % kNumProtocols (core/protocols.def's order: a protocol
//              added there changes what the value 3 means); bits 4-7:
//              privileged T1..T4 (bits beyond `threads` are ignored).
//   byte 2     fail_alloc: bit 7 clear: 0; set: 1 + bits 0-4 (1..32).
//              Version 2: bit 6 is Policy::conflicts (version 1 ignores
//              it, as it always has).
//   bytes 3-6  the Policy, packed (program.h), little-endian.
//   byte 7     version 3 only: the limits (core/limits.h), each as how far
//              below its capacity it is: tasks = kMaxTasks - bits 0-3,
//              raised to 1 + threads when below it; mounts =
//              kMaxMountsPerNs - bits 4-7.
//              A header cut short reads its missing bytes as 0 (encode()
//              cuts trailing zeros when no record follows).
//   then 2-byte records [k][v] to the end (an odd last byte is ignored):
//     k < 0x80   op of kind k % kNumOpKinds (ops.def order) on thread
//                1 + (v & 3) % threads; argument in v bits 2-6: FLAGS bit i
//                is the i-th of NEWNS, NEWUTS, NEWIPC, NEWPID, NEWNET; TASK
//                and NAME are bits 2-5 (0..15); other bits are ignored.
//                Ops past kMaxOps are ignored.
//     k = 0xff   carry = carry << 8 | v (24 bits kept): high bits of the
//                next switch's number.
//     otherwise  a switch; then carry = 0. Version 2: from thread
//                1 + (k & 3) % threads, to thread 1 + (k >> 2 & 3) %
//                threads, at the nth pass of site v % kNumSites (sites.def
//                order) with nth = 1 + (carry << 3 | k >> 4 & 7). Dropped
//                when from == to, nth > kMaxNth, the anchor repeats an
//                earlier one, or past kMaxSwitches.
//                Version 1: to thread 1 + (k & 3) % threads (bits 2-6
//                ignored) at point previous + 1 + (carry << 8 | v),
//                previous starting at 0; dropped past kMaxSwitches or
//                beyond UINT32_MAX.
//
// Bits named "ignored" are 0 in encode()'s output. Only such canonical
// inputs are promised to keep their meaning when ops or sites are appended
// to their tables (k % kNumOpKinds then changes for non-canonical kinds);
// store encode(decode(x)), or the text form, rather than raw fuzzer bytes.
//
// The fixed-size records are what let libFuzzer's byte mutations make
// sensible changes: a changed byte changes one op's kind, thread or argument
// or one switch; a copied or erased byte pair inserts or deletes a record.
#ifndef NSFUZZ_FUZZERS_PROGRAM_DECODER_H_
#define NSFUZZ_FUZZERS_PROGRAM_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzzers/program/program.h"

namespace nsfuzz {

// Byte 0 of a v2 Program with limits (a v1 Program's is 1, a v2's 2).
inline constexpr uint8_t kBytesV3 = 3;
inline constexpr size_t kHeaderSizeV2 = 7;  // versions 1 and 2
inline constexpr size_t kHeaderSize = 8;    // the longest: version 3's

// Where the records of `data` start: its version's header size.
size_t header_size(const uint8_t *data, size_t size);
inline size_t header_size(const std::vector<uint8_t> &bytes) {
  return header_size(bytes.data(), bytes.size());
}

Program decode(const uint8_t *data, size_t size);
inline Program decode(const std::vector<uint8_t> &bytes) {
  return decode(bytes.data(), bytes.size());
}

inline constexpr size_t kMaxEncodedSize =
    kHeaderSize + 2 * kMaxOps + 8 * kMaxSwitches;

// The canonical bytes of a valid Program: 1 to kMaxEncodedSize bytes.
std::vector<uint8_t> encode(const Program &p);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_DECODER_H_
