// Signatures from real reports: every committed regression case's report.txt
// gives the signature its case.txt records, and every raw report shape of
// fuzzers/triage/testdata/reports/ gives the one written beside it.
#include "fuzzers/triage/signature.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "core/bugs.h"

namespace nsfuzz {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << p;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// "key: value" lines (case.txt, NAME.signature).
std::map<std::string, std::string> fields_of(const std::string &text) {
  std::map<std::string, std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl - at);
    size_t colon = line.find(": ");
    if (colon != std::string::npos && line[0] != '#')
      out[line.substr(0, colon)] = line.substr(colon + 2);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return out;
}

TEST(SignatureTest, EveryCommittedCaseReportGivesItsRecordedSignature) {
  int cases = 0;
  for (const fs::directory_entry &d : fs::directory_iterator("regressions")) {
    if (!fs::exists(d.path() / "report.txt")) continue;
    SCOPED_TRACE(d.path().string());
    std::map<std::string, std::string> c =
        fields_of(read_text(d.path() / "case.txt"));
    std::optional<Signature> s =
        signature_of(read_text(d.path() / "report.txt"));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->str(), c["signature"]);
    // An excerpt cut before its SUMMARY line (a long report) has none.
    if (!s->summary.empty()) EXPECT_EQ(s->summary, c["summary"]);
    // The sanitizer it was recorded under is the catalog's for its bug.
    std::optional<Bug> bug = parse_bug(c["bug"]);
    ASSERT_TRUE(bug) << c["bug"];
    if (*bug != Bug::none) EXPECT_EQ(bug_info(*bug).sanitizer, c["sanitizer"]);
    ++cases;
  }
  EXPECT_GE(cases, kNumBugs);  // one case per injected bug at least
}

TEST(SignatureTest, EveryReportShapeGivesTheSignatureBesideIt) {
  int shapes = 0;
  for (const fs::directory_entry &f :
       fs::directory_iterator("fuzzers/triage/testdata/reports")) {
    if (f.path().extension() != ".txt") continue;
    SCOPED_TRACE(f.path().string());
    fs::path expected_file = f.path();
    expected_file.replace_extension(".signature");
    std::map<std::string, std::string> want =
        fields_of(read_text(expected_file));
    ASSERT_TRUE(want.count("SIGNATURE")) << expected_file;
    std::optional<Signature> s = signature_of(read_text(f.path()));
    if (want["SIGNATURE"] == "none") {
      EXPECT_FALSE(s) << s->str();
    } else {
      ASSERT_TRUE(s);
      EXPECT_EQ(s->str(), want["SIGNATURE"]);
      EXPECT_EQ(short_kind(s->kind), want["SHORT"]);
    }
    ++shapes;
  }
  EXPECT_GE(shapes, 8);
}

TEST(SignatureTest, ShortKindOfEachTool) {
  EXPECT_EQ(short_kind("asan:heap-use-after-free"), "heap-use-after-free");
  EXPECT_EQ(short_kind("tsan:data race"), "data race");
  EXPECT_EQ(short_kind("lsan:leak"), "leak (LSan)");
  EXPECT_EQ(short_kind("nsfuzz:sleep-in-atomic"), "nsfuzz: sleep-in-atomic");
  EXPECT_EQ(short_kind("libfuzzer:deadly"), "libFuzzer: deadly");
  EXPECT_EQ(short_kind("ubsan"), "ubsan");
}

}  // namespace
}  // namespace nsfuzz
