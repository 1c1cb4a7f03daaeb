// Test helper: the seed corpus as the fuzz targets see it.
#ifndef NSFUZZ_FUZZERS_TESTING_TESTING_CORPUS_H_
#define NSFUZZ_FUZZERS_TESTING_TESTING_CORPUS_H_

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzzers/program/program_io.h"

namespace nsfuzz::testing {

// Every file of corpus/nsproxy_fuzzer (a data dependency of the test), in
// name order.
inline std::vector<std::vector<uint8_t>> SeedCorpus() {
  std::vector<std::string> paths;
  for (const auto &e :
       std::filesystem::directory_iterator("corpus/nsproxy_fuzzer"))
    paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::vector<uint8_t>> seeds;
  for (const std::string &p : paths) seeds.push_back(load_program(p).bytes);
  return seeds;
}

}  // namespace nsfuzz::testing

#endif  // NSFUZZ_FUZZERS_TESTING_TESTING_CORPUS_H_
