// Test helper: every protocol, for parameterized tests, named by protocol.
#ifndef NSFUZZ_CORE_TESTING_PROTOCOLS_H_
#define NSFUZZ_CORE_TESTING_PROTOCOLS_H_

#include <gtest/gtest.h>

#include <string>

#include "core/protocol.h"

namespace nsfuzz::testing {

inline auto AllProtocols() {
  return ::testing::ValuesIn(kAllProtocols);
}

struct ProtocolName {
  std::string operator()(const ::testing::TestParamInfo<Protocol> &info) const {
    return std::string(protocol_name(info.param));
  }
};

}  // namespace nsfuzz::testing

#endif  // NSFUZZ_CORE_TESTING_PROTOCOLS_H_
