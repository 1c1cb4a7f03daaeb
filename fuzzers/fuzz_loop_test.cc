// Every correct protocol runs clean from the seed corpus for a fixed number
// of executions (no false positives, under ASan and under TSan).
#include "fuzzers/fuzz_loop.h"

#include <gtest/gtest.h>

#include <string>

#include "core/testing/protocols.h"
#include "fuzzers/testing/testing_corpus.h"

namespace nsfuzz {
namespace {

class FuzzLoopTest : public ::testing::TestWithParam<Protocol> {};

TEST_P(FuzzLoopTest, CleanFromTheSeedCorpus) {
  auto seeds = testing::SeedCorpus();
  ASSERT_GE(seeds.size(), 5u);
  Executor executor;
  FuzzLoopOptions o;
  o.runs = 3000;
  o.protocol = GetParam();
  FuzzLoopStats s = fuzz_loop(executor, seeds, o);  // a finding aborts
  EXPECT_EQ(s.executions, 3000u);
  EXPECT_GT(s.pool, seeds.size()) << "no mutant reached a new interleaving";
  EXPECT_GT(s.pairs_seen, 10u);
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, FuzzLoopTest, testing::AllProtocols(),
                         testing::ProtocolName());

}  // namespace
}  // namespace nsfuzz
