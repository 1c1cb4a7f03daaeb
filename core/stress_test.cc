// The stress run is clean for every correct protocol (under ASan and TSan).
#include "core/testing/stress.h"

#include <gtest/gtest.h>

#include <string>

#include "core/testing/protocols.h"
#include "core/testing/world_fixture.h"
#include "core/world.h"

namespace nsfuzz {
namespace {

class StressTest : public ::testing::TestWithParam<Protocol> {};

TEST_P(StressTest, CleanUnderRealConcurrency) {
  testing::FindingRecorder findings;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    WorldOptions o;
    o.protocol = GetParam();
    World w(o);
    testing::run_stress(w, {.threads = 4, .iterations = 400, .seed = seed});
    EXPECT_TRUE(w.teardown()) << testing::FindingRecorder::Summary();
    long allocated = 0;
    for (long a : w.counts().allocated) allocated += a;
    EXPECT_GT(allocated, 50) << "the stress run did too little";
  }
  EXPECT_TRUE(testing::FindingRecorder::Findings().empty())
      << testing::FindingRecorder::Summary();
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, StressTest, testing::AllProtocols(),
                         testing::ProtocolName());

}  // namespace
}  // namespace nsfuzz
