// What the command-line tools (replay, program_tool, triage, explore)
// share: strict number flags, paths as the user meant them, and error text
// that never puts a raw control byte on a terminal.
#ifndef NSFUZZ_FUZZERS_CLI_CLI_H_
#define NSFUZZ_FUZZERS_CLI_CLI_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzzers/program/program_io.h"

namespace nsfuzz {

// A whole decimal number in [lo, hi], nothing else ("3x", "", "+3", " 3",
// "0x3" and out-of-range values are nullopt).
std::optional<int64_t> parse_int(std::string_view s, int64_t lo, int64_t hi);

// `s` with every byte outside printable ASCII (controls, DEL, 0x80-0xff,
// NUL) written as \xNN. Backslashes are kept as they are, so a line that
// is already escaped comes out unchanged.
std::string printable(std::string_view s);

// A path the user typed: relative ones are taken from BUILD_WORKING_DIRECTORY
// when it is set (`bazel run` starts a tool in its runfiles folder and
// names the user's folder there), else from the current folder.
std::string user_path(const std::string &path);

// A path inside the source tree: relative ones are taken from
// BUILD_WORKSPACE_DIRECTORY when it is set, else from the current folder.
std::string workspace_path(const std::string &path);

// A Program file the user named (user_path), read as every tool reads an
// input (program_io.h); an error, one line naming the file, in .error; a
// note (e.g. bytes that look like text) printed as "TOOL: note: ...".
LoadedProgram load_user_program(const std::string &file, const char *tool);

// "TOOL: MSG (see TOOL --help)" on stderr, escaped, then exit 2.
[[noreturn]] void usage_exit(const char *tool, const std::string &msg);
// "TOOL: MSG" on stderr, escaped; returns 1, an error's exit status.
int error_line(const char *tool, const std::string &msg);

// A number flag's value: `v` as a whole number in [lo, hi], or else the
// usage error "NAME expects a whole number from LO to HI, got 'V'" in *why.
std::optional<int64_t> number_flag(std::string_view name, std::string_view v,
                                   int64_t lo, int64_t hi, std::string *why);
// The same for a tool whose usage errors end it: usage_exit(tool, *why).
int64_t number_flag_or_exit(const char *tool, std::string_view name,
                            std::string_view v, int64_t lo, int64_t hi);

// If `arg` starts with `name` ("--repeat="), the rest.
std::optional<std::string_view> flag_value(std::string_view arg,
                                           std::string_view name);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_CLI_CLI_H_
