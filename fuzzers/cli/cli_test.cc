// Strict numbers, escaped bytes and the user's paths.
#include "fuzzers/cli/cli.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace nsfuzz {
namespace {

TEST(ParseInt, TakesWholeNumbersInRange) {
  EXPECT_EQ(parse_int("3", 1, 10), 3);
  EXPECT_EQ(parse_int("10", 1, 10), 10);
  EXPECT_EQ(parse_int("-2", -5, 5), -2);
  EXPECT_EQ(parse_int("0", 0, 0), 0);
}

TEST(ParseInt, RefusesEverythingElse) {
  for (const char *bad : {"3x", "", "x3", "+3", " 3", "3 ", "0x3", "1e3", "-",
                          "3.0", "99999999999999999999"})
    EXPECT_EQ(parse_int(bad, -1000, 1000), std::nullopt) << bad;
  EXPECT_EQ(parse_int("11", 1, 10), std::nullopt);
  EXPECT_EQ(parse_int("0", 1, 10), std::nullopt);
  EXPECT_EQ(parse_int("-1", 0, 10), std::nullopt);
}

TEST(NumberFlag, ValueOrTheUsageError) {
  std::string why;
  EXPECT_EQ(number_flag("--jobs", "4", 1, 64, &why), 4);
  EXPECT_EQ(why, "");
  EXPECT_EQ(number_flag("--jobs", "65", 1, 64, &why), std::nullopt);
  EXPECT_EQ(why, "--jobs expects a whole number from 1 to 64, got '65'");
}

TEST(Printable, EscapesControlAndHighBytes) {
  EXPECT_EQ(printable("ok 'name'"), "ok 'name'");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("\xff\x1b[31m\n\x7f"), "\\xff\\x1b[31m\\x0a\\x7f");
  // Idempotent: an escaped line stays as it is.
  EXPECT_EQ(printable(printable("T\xff"
                                "1")),
            "T\\xff1");
}

TEST(UserPath, TakesRelativePathsFromBazelRunsFolder) {
  unsetenv("BUILD_WORKING_DIRECTORY");
  EXPECT_EQ(user_path("a/b.txt"), "a/b.txt");
  setenv("BUILD_WORKING_DIRECTORY", "/home/u/src", 1);
  EXPECT_EQ(user_path("a/b.txt"), "/home/u/src/a/b.txt");
  EXPECT_EQ(user_path("/abs/b.txt"), "/abs/b.txt");
  unsetenv("BUILD_WORKING_DIRECTORY");
  setenv("BUILD_WORKSPACE_DIRECTORY", "/home/u/nsfuzz", 1);
  EXPECT_EQ(workspace_path("regressions"), "/home/u/nsfuzz/regressions");
  EXPECT_EQ(user_path("x"), "x");
  unsetenv("BUILD_WORKSPACE_DIRECTORY");
}

TEST(FlagValue, SplitsAtTheName) {
  EXPECT_EQ(flag_value("--repeat=3", "--repeat="), "3");
  EXPECT_EQ(flag_value("--repeat", "--repeat="), std::nullopt);
}

}  // namespace
}  // namespace nsfuzz
