// Tests of the binary form: totality, round trip, and format stability.
#include "fuzzers/program/decoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzzers/mutate/mutator.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/program/validate.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

// The stability guard: these bytes mean this program in format version 1,
// forever. If this test fails, the format changed: make it a new version.
TEST(Decoder, Golden) {
  const std::vector<uint8_t> bytes = {
      0x01,                    // version 1
      0x55,                    // 3 threads, rcu_2007, privileged T1 T3
      0x82,                    // fail_alloc 3
      0x07, 0x00, 0x00, 0x00,  // policy_seed 7
      0x01, 0x0c,              // T1: unshare(NEWNS|NEWUTS)
      0x04, 0x05,              // T2: mounts_open(T1)
      0x07, 0x0e,              // T3: sethostname(h3)
      0x08, 0x00,              // T1: mount(m0)
      0x0d, 0x01,              // kind 13 % 11: T2: daemonize()
      0x03, 0x00,              // T1: exit()
      0x81, 0x03,              // switch @4 -> T2
      0xff, 0x01, 0x82, 0x04,  // switch @(4 + 1 + 0x104) -> T3
      0x87, 0x00,              // thread 3 % 3: switch @266 -> T1
      0x42,                    // odd last byte: ignored
  };
  EXPECT_EQ(print_program(decode(bytes)),
            "# nsfuzz program v1\n"
            "protocol rcu_2007\n"
            "threads 3\n"
            "privileged T1 T3\n"
            "fail_alloc 3\n"
            "policy_seed 7\n"
            "T1: unshare(NEWNS|NEWUTS)\n"
            "T2: mounts_open(T1)\n"
            "T3: sethostname(h3)\n"
            "T1: mount(m0)\n"
            "T2: daemonize()\n"
            "T1: exit()\n"
            "switch @4 -> T2\n"
            "switch @265 -> T3\n"
            "switch @266 -> T1\n");
  // Its canonical encoding: the same, but for the kinds and the last byte.
  std::vector<uint8_t> canonical = bytes;
  canonical[15] = 0x02;
  canonical[25] = 0x80;
  canonical.pop_back();
  EXPECT_EQ(encode(decode(bytes)), canonical);
}

// Format version 2: anchored switches. The same guard: these bytes mean
// this Program in version 2, forever.
TEST(Decoder, GoldenV2) {
  const std::vector<uint8_t> bytes = {
      0x02,                    // version 2
      0x04,                    // 2 threads, rcu_2007
      0x00,                    // no fail_alloc
      0x07, 0x0c, 0x00, 0x00,  // priorities 7, preempt at point 12
      0x01, 0x04,              // T1: unshare(NEWNS)
      0x04, 0x05,              // T2: mounts_open(T1)
      0x84, 0x09,              // switch T1@switch_put_old#1 -> T2
      0xff, 0x01, 0x91, 0x04,  // switch T2@rcu_read_unlock#(1 + 8 + 1) -> T1
      0x80, 0x00,              // T1 -> T1: dropped
      0x84, 0x09,              // the same anchor again: dropped
  };
  EXPECT_EQ(print_program(decode(bytes)),
            "# nsfuzz program v2\n"
            "protocol rcu_2007\n"
            "threads 2\n"
            "priorities 7\n"
            "preempt 12 0 0\n"
            "T1: unshare(NEWNS)\n"
            "T2: mounts_open(T1)\n"
            "switch T1@switch_put_old#1 -> T2\n"
            "switch T2@rcu_read_unlock#10 -> T1\n");
  std::vector<uint8_t> canonical(bytes.begin(), bytes.end() - 4);
  EXPECT_EQ(encode(decode(bytes)), canonical);
}

// Format version 3: version 2 with the limits in byte 7. The same guard.
TEST(Decoder, GoldenV3) {
  const std::vector<uint8_t> bytes = {
      0x03,                    // version 3
      0x04,                    // 2 threads, rcu_2007
      0x00,                    // no fail_alloc
      0x00, 0x00, 0x00, 0x00,  // no policy
      0xed,                    // tasks 16 - 13 = 3, mounts 16 - 14 = 2
      0x00, 0x04,              // T1: clone(NEWNS)
      0x00, 0x00,              // T1: clone(0)
      0x08, 0x04,              // T1: mount(m1)
      0x08, 0x09,              // T2: mount(m2)
  };
  const Program p = decode(bytes);
  EXPECT_EQ(print_program(p),
            "# nsfuzz program v2\n"
            "protocol rcu_2007\n"
            "threads 2\n"
            "limits tasks=3 mounts=2\n"
            "T1: clone(NEWNS)\n"
            "T1: clone(0)\n"
            "T1: mount(m1)\n"
            "T2: mount(m2)\n");
  EXPECT_EQ(encode(p), bytes);
  // Without its limits, the same Program is version 2, one byte shorter.
  Program unlimited = p;
  unlimited.limits = Limits{};
  std::vector<uint8_t> v2 = bytes;
  v2[0] = kFormatV2;
  v2.erase(v2.begin() + 7);
  EXPECT_EQ(encode(unlimited), v2);
  EXPECT_EQ(decode(v2), unlimited);
}

// Version 3's tasks are at least init and the threads; a header cut short
// reads as no limits; only lowered limits make version 3.
TEST(Decoder, V3LimitsAreTotal) {
  const Program four = decode(std::vector<uint8_t>{3, 2, 0, 0, 0, 0, 0, 0x0f});
  EXPECT_EQ(four.threads, 4);
  EXPECT_EQ(four.limits, (Limits{.tasks = 5, .mounts = kMaxMountsPerNs}));
  EXPECT_EQ(encode(four), (std::vector<uint8_t>{3, 2, 0, 0, 0, 0, 0, 0x0b}));
  const Program cut = decode(std::vector<uint8_t>{3, 1});
  EXPECT_EQ(cut.format, kFormatV2);
  EXPECT_EQ(cut.threads, 3);
  EXPECT_EQ(cut.limits, Limits{});
  EXPECT_EQ(encode(cut), (std::vector<uint8_t>{2, 1}));
  Rng rng(4);
  int lowered = 0;
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> bytes = testing::RandomBytes(rng, 8 + rng.below(40));
    bytes[0] = kBytesV3;
    const Program p = decode(bytes);
    std::string why;
    ASSERT_TRUE(is_valid(p, &why)) << why;
    EXPECT_EQ(p.format, kFormatV2);
    const std::vector<uint8_t> again = encode(p);
    ASSERT_EQ(decode(again), p);
    ASSERT_EQ(again[0], p.limits.is_default() ? kFormatV2 : kBytesV3);
    lowered += !p.limits.is_default();
  }
  EXPECT_GT(lowered, 4900);
}

TEST(Decoder, EmptyAndShortInputs) {
  const Program empty = decode(nullptr, 0);
  EXPECT_TRUE(is_valid(empty));
  EXPECT_EQ(empty.threads, 2);
  EXPECT_TRUE(empty.ops.empty());
  EXPECT_EQ(empty.format, kFormatV1);  // byte 0 is not 2
  EXPECT_EQ(encode(empty), std::vector<uint8_t>{0x01});
  // The version byte alone means the same; any header prefix is valid.
  EXPECT_EQ(decode(std::vector<uint8_t>{0x01}), empty);
  EXPECT_EQ(decode(std::vector<uint8_t>{0x01, 0x01}).threads, 3);
  // Nine bytes: the header and an op, on one of two threads.
  const Program one = decode(std::vector<uint8_t>(9, 0x01));
  ASSERT_EQ(one.ops.size(), 1u);
  EXPECT_EQ(one.threads, 3);
  EXPECT_EQ(one.ops[0].kind, OpKind::unshare);
}

TEST(Decoder, ShortRandomInputsGiveTwoThreadPrograms) {
  Rng rng(7);
  int two_threads_with_ops = 0;
  for (int i = 0; i < 1000; ++i) {
    const Program p = decode(testing::RandomBytes(rng, 16 + rng.below(16)));
    ASSERT_TRUE(is_valid(p));
    if (p.threads == 2 && p.ops.size() >= 3) ++two_threads_with_ops;
  }
  EXPECT_GT(two_threads_with_ops, 300);
}

TEST(Decoder, TotalOnRandomBytes) {
  Rng rng(1);
  for (int i = 0; i < 20000; ++i) {
    const std::vector<uint8_t> bytes =
        testing::RandomBytes(rng, rng.below(i % 16 ? 64 : 2000));
    const Program p = decode(bytes);
    std::string why;
    ASSERT_TRUE(is_valid(p, &why)) << why;
    const std::vector<uint8_t> again = encode(p);
    ASSERT_LE(again.size(), kMaxEncodedSize);
    ASSERT_EQ(decode(again), p);
    ASSERT_EQ(encode(decode(again)), again);  // canonical
  }
}

TEST(Decoder, TotalOnHugeAndUniformInputs) {
  Rng rng(2);
  for (uint8_t fill : {0x00, 0x7f, 0x80, 0xfe, 0xff}) {
    const Program p = decode(std::vector<uint8_t>(1 << 20, fill));
    std::string why;
    EXPECT_TRUE(is_valid(p, &why)) << why;
  }
  const Program p = decode(testing::RandomBytes(rng, 1 << 22));
  EXPECT_TRUE(is_valid(p));
  EXPECT_EQ(p.ops.size(), size_t{kMaxOps});
  EXPECT_EQ(decode(encode(p)), p);
}

TEST(Decoder, SwitchPointsBeyondUint32AreDropped) {
  std::vector<uint8_t> bytes(kHeaderSizeV2);
  bytes[0] = kFormatV1;
  for (int i = 0; i < 8; ++i) bytes.insert(bytes.end(), {0xff, 0xff});
  bytes.insert(bytes.end(), {0x80, 0xff, 0x81, 0x00});
  const Program p = decode(bytes);
  ASSERT_EQ(p.step_switches.size(), 1u);
  EXPECT_EQ(p.step_switches[0].point, 1u);
  EXPECT_EQ(p.step_switches[0].thread, 2);
}

TEST(Decoder, PassesBeyondTheLimitAreDropped) {
  std::vector<uint8_t> bytes(kHeaderSizeV2);
  bytes[0] = kFormatV2;
  bytes.insert(bytes.end(), {0xff, 0xff, 0xff, 0xff, 0x84, 0x00});  // too far
  bytes.insert(bytes.end(), {0xff, 0x1f, 0xf4, 0x00});  // 1 + (0x1f << 3 | 7)
  const Program p = decode(bytes);
  ASSERT_EQ(p.switches.size(), 1u);
  EXPECT_EQ(p.switches[0].at.nth, 256u);
  EXPECT_EQ(p.switches[0].thread, 2);
  EXPECT_EQ(decode(encode(p)), p);
}

TEST(Decoder, EncodeRoundTripsEveryGap) {
  for (uint32_t gap : {0u, 1u, 254u, 255u, 256u, 257u, 65535u, 65536u,
                       16777216u, UINT32_MAX - 2}) {
    Program p;
    p.format = kFormatV1;
    p.step_switches = {{1, 2}, {2 + gap, 1}};
    if (2 + gap < UINT32_MAX) p.step_switches.push_back({UINT32_MAX, 2});
    ASSERT_TRUE(is_valid(p));
    const std::vector<uint8_t> bytes = encode(p);
    EXPECT_LE(bytes.size(), kMaxEncodedSize);
    EXPECT_EQ(decode(bytes), p) << gap;
  }
}

// Byte 2's bit 6 is Policy::conflicts in v2; v1 ignores it, as it did.
TEST(Decoder, ConflictsBitIsV2Only) {
  std::vector<uint8_t> bytes = {kFormatV2, 0, 0x40, 0, 3, 5};
  Program p = decode(bytes);
  EXPECT_TRUE(p.policy.conflicts);
  EXPECT_EQ(p.policy.preempt[0], 3);
  EXPECT_EQ(encode(p), bytes);
  bytes[0] = 1;
  EXPECT_FALSE(decode(bytes).policy.conflicts);
  EXPECT_EQ(encode(decode(bytes))[2], 0);
}

TEST(Decoder, EncodeRoundTripsMutatedPrograms) {
  // The mutator reaches programs decode of random bytes rarely does: many
  // switches with small gaps, every header value.
  Rng rng(3);
  Program p;
  for (int i = 0; i < 50000; ++i) {
    p = mutate(p, rng.next());
    if (i % 1000 == 999) p = Program{};
    ASSERT_TRUE(is_valid(p));
    ASSERT_EQ(decode(encode(p)), p) << print_program(p);
  }
}

}  // namespace
}  // namespace nsfuzz

namespace nsfuzz {
namespace {

std::string ReadFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The old corpus: the committed cases' bytes and text and the seeds as they
// were in format v1 (fuzzers/program/testdata/v1, copied from the tree before
// v2). They must keep decoding to the same Programs, step switches and all.
TEST(Decoder, V1CorpusDecodesAsBefore) {
  int pairs = 0, seeds = 0;
  for (const auto &e :
       std::filesystem::directory_iterator("fuzzers/program/testdata/v1")) {
    const std::string path = e.path().string();
    if (e.path().extension() == ".bin") {
      std::string bytes = ReadFile(path);
      std::string text = ReadFile(path.substr(0, path.size() - 4) + ".txt");
      const Program p =
          decode(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
      EXPECT_EQ(p.format, kFormatV1) << path;
      ParseResult r = parse_program(text);
      ASSERT_TRUE(r.ok()) << path << ": " << r.error;
      EXPECT_EQ(p, r.program) << path;
      // Canonical forms differ at most in policy_seed bits that never meant
      // anything (Policy keeps the rest): same Program, same run.
      std::vector<uint8_t> again = encode(p), old(bytes.begin(), bytes.end());
      for (auto *v : {&again, &old})  // a short header reads as zeros
        if (v->size() < kHeaderSizeV2) v->resize(kHeaderSizeV2);
      uint32_t old_word = 0, new_word = 0;
      for (int i = 0; i < 4; ++i) {
        old_word |= uint32_t{old[3 + i]} << (8 * i);
        new_word |= uint32_t{again[3 + i]} << (8 * i);
        old[3 + i] = again[3 + i] = 0;
      }
      EXPECT_EQ(again, old) << path;
      EXPECT_EQ(new_word, Policy::unpack(old_word).pack()) << path;
      EXPECT_EQ(parse_program(print_program(p)).program, p) << path;
      ++pairs;
    } else if (e.path().filename().string().rfind("seed_", 0) == 0) {
      ParseResult r = parse_program(ReadFile(path));
      ASSERT_TRUE(r.ok()) << path << ": " << r.error;
      EXPECT_EQ(r.program.format, kFormatV1) << path;
      EXPECT_EQ(decode(encode(r.program)), r.program) << path;
      ++seeds;
    }
  }
  EXPECT_EQ(pairs, 11);
  EXPECT_EQ(seeds, 9);
  // One of them, spelled out: where its switches fall.
  std::string bytes =
      ReadFile("fuzzers/program/testdata/v1/free_without_grace_period.bin");
  const Program p =
      decode(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
  EXPECT_EQ(p.step_switches, (std::vector<StepSwitch>{{8, 2}, {10, 1}}));
  EXPECT_TRUE(p.switches.empty());
}

}  // namespace
}  // namespace nsfuzz
