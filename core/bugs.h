// The injected-bug catalog: realistic protocol mistakes, off in normal builds.
//
// Built with --//core:bug=all (or =NAME), the catalog is compiled in and a
// world selects at most one bug at run time; in normal builds (the default,
// --//core:bug=none) bug_active() is constant false and every injected diff
// is dead code the compiler removes.
#ifndef NSFUZZ_CORE_BUGS_H_
#define NSFUZZ_CORE_BUGS_H_

#include <optional>
#include <string>
#include <string_view>

namespace nsfuzz {

enum class Bug : unsigned char {
  none,
#define BUG(name, protocol, sanitizer, rule) name,
#include "core/bugs.def"
#undef BUG
};
inline constexpr int kNumBugs = 0
#define BUG(name, protocol, sanitizer, rule) +1
#include "core/bugs.def"
#undef BUG
    ;

struct BugInfo {
  std::string_view name;
  std::string_view protocol;   // the protocol it is written against, or "all"
  std::string_view sanitizer;  // the one that sees it: "asan" or "tsan"
  std::string_view rule;       // the rule it breaks
};
inline constexpr BugInfo kBugInfo[] = {
    {"none", "all", "asan", "no injected bug"},
#define BUG(name, protocol, sanitizer, rule) \
  {#name, #protocol, #sanitizer, rule},
#include "core/bugs.def"
#undef BUG
};

constexpr const BugInfo &bug_info(Bug b) {
  return kBugInfo[static_cast<int>(b)];
}
constexpr std::string_view bug_name(Bug b) {
  return bug_info(b).name;
}

// "none" included.
constexpr std::optional<Bug> parse_bug(std::string_view name) {
  for (int i = 0; i <= kNumBugs; ++i)
    if (kBugInfo[i].name == name) return static_cast<Bug>(i);
  return std::nullopt;
}

#ifdef NSFUZZ_BUG_CATALOG
inline constexpr bool kBugCatalogCompiled = true;
#else
inline constexpr bool kBugCatalogCompiled = false;
#endif

// A --bug flag's value, as every tool takes it: the bug, or nullopt with
// the one-line reason in *why (no such bug, or a build without the
// catalog, which only "none" fits).
inline std::optional<Bug> parse_bug_flag(std::string_view name,
                                         std::string *why) {
  std::optional<Bug> b = parse_bug(name);
  if (!b)
    *why = "unknown bug '" + std::string(name) + "' (core/bugs.def)";
  else if (*b != Bug::none && !kBugCatalogCompiled)
    *why = "--bug needs a build with the bug catalog (--//core:bug=all)";
  else
    return b;
  return std::nullopt;
}

// The bug this build selects when none is given at run time
// (--//core:bug=NAME); none otherwise.
#ifdef NSFUZZ_DEFAULT_BUG
static_assert(parse_bug(NSFUZZ_DEFAULT_BUG).has_value(),
              "--//core:bug names no bug of core/bugs.def");
inline constexpr Bug kDefaultBug = *parse_bug(NSFUZZ_DEFAULT_BUG);
#else
inline constexpr Bug kDefaultBug = Bug::none;
#endif

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_BUGS_H_
