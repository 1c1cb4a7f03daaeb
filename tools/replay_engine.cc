// Replay engine: a main() for fuzz targets that runs each input file once.
//
// Stands in for libFuzzer when a target is built without it (regression
// tests, coverage): `X_bin FILE|DIR...` runs LLVMFuzzerTestOneInput on every
// file; a finding aborts the process as it would under libFuzzer.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *argc,
                                                          char ***argv);

namespace {

bool RunFile(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  // A copy on the heap of exactly the input's size, as libFuzzer does, so
  // that ASan sees reads past its end.
  std::vector<uint8_t> copy(bytes);
  LLVMFuzzerTestOneInput(copy.data(), copy.size());
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;  // libFuzzer flags: ignored here.
    std::error_code ec;
    if (std::filesystem::is_directory(argv[i], ec)) {
      for (const auto &e : std::filesystem::directory_iterator(argv[i]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.emplace_back(argv[i]);
    }
  }
  std::sort(files.begin(), files.end());
  int ran = 0;
  for (const auto &f : files) {
    if (!RunFile(f)) return 1;
    ++ran;
  }
  std::fprintf(stderr, "replay: ran %d input(s), no finding\n", ran);
  return 0;
}
