// Writing files and folders so that nothing is ever seen half-written, and
// cleaning up what an interrupted writer left.
//
// A temporary is named ".tmp-<name>-<pid>" beside its final path and is
// renamed into place when complete. Readers skip names starting with '.'
// (is_temporary); the next writer in that folder removes the temporaries
// of writers that are gone (sweep_temporaries).
#ifndef NSFUZZ_FUZZERS_TRIAGE_TEMP_FILES_H_
#define NSFUZZ_FUZZERS_TRIAGE_TEMP_FILES_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace nsfuzz {

// ".tmp-<name>-<this process's pid>".
std::string temporary_name(std::string_view name);

// A name readers must skip: a temporary, or any other dot name.
bool is_temporary(std::string_view filename);

// Writes PATH's temporary, fsyncs it and renames it over PATH. Returns an
// error line, or "" on success (and then no temporary is left).
std::string write_file_atomic(const std::string &path,
                              const std::vector<uint8_t> &bytes);

// Writes root/name/ holding `files` (file name -> bytes): a temporary
// folder, renamed into place when complete. An existing root/name is an
// error and is left untouched. Returns an error line, or "".
std::string write_dir_atomic(
    const std::string &root, const std::string &name,
    const std::map<std::string, std::vector<uint8_t>> &files);

// Replaces the folder root/name, which must exist, with one holding
// `files`: a temporary folder, exchanged with it in one rename (renameat2's
// RENAME_EXCHANGE), so that a reader sees the old folder or the new one,
// each whole; the old one, now under the temporary's name, is removed.
// Returns an error line, or "" (and then no temporary is left).
std::string replace_dir_atomic(
    const std::string &root, const std::string &name,
    const std::map<std::string, std::vector<uint8_t>> &files);

// Removes dir's temporaries whose writer process no longer exists; returns
// how many it removed.
int sweep_temporaries(const std::string &dir);

// A private scratch folder under $TMPDIR (or /tmp) for files of known names.
// It is removed when the ScratchDir is destroyed, and also on SIGINT,
// SIGTERM or SIGHUP (the handler removes it with async-signal-safe calls,
// then the process dies of that signal as it would have). One at a time.
class ScratchDir {
 public:
  // `names`: every file the folder may hold (their temporaries included).
  ScratchDir(const std::string &prefix, const std::vector<std::string> &names);
  ~ScratchDir();
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_TRIAGE_TEMP_FILES_H_
