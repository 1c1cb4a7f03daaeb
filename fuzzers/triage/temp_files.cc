// Temporaries renamed into place, swept when their writer is gone.
#include "fuzzers/triage/temp_files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace nsfuzz {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = ".tmp-";

// The pid of a ".tmp-<name>-<pid>" name, or 0.
pid_t writer_of(std::string_view name) {
  if (name.substr(0, kPrefix.size()) != kPrefix) return 0;
  size_t dash = name.rfind('-');
  if (dash < kPrefix.size()) return 0;
  std::string_view digits = name.substr(dash + 1);
  if (digits.empty() || digits.size() > 9) return 0;
  pid_t pid = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

std::string temporary_name(std::string_view name) {
  return std::string(kPrefix) + std::string(name) + "-" +
         std::to_string(getpid());
}

bool is_temporary(std::string_view filename) {
  return !filename.empty() && filename[0] == '.';
}

std::string write_file_atomic(const std::string &path,
                              const std::vector<uint8_t> &bytes) {
  fs::path p(path);
  std::string tmp =
      (p.parent_path() / temporary_name(p.filename().string())).string();
  FILE *f = std::fopen(tmp.c_str(), "wbx");
  // The error names the file the user asked for, not our temporary.
  if (!f) return path + ": cannot write: " + errno_text();
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok &= std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  ok &= std::fclose(f) == 0;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = path + ": cannot write: " + errno_text();
    std::remove(tmp.c_str());
    return err;
  }
  return "";
}

std::string write_dir_atomic(
    const std::string &root, const std::string &name,
    const std::map<std::string, std::vector<uint8_t>> &files) {
  fs::path final_dir = fs::path(root) / name;
  std::error_code ec;
  if (fs::exists(final_dir, ec))
    return final_dir.string() + " exists already; not overwriting it";
  fs::path tmp = fs::path(root) / temporary_name(name);
  fs::create_directories(root, ec);
  if (ec) return root + ": cannot create: " + ec.message();
  if (mkdir(tmp.c_str(), 0755) != 0)
    return final_dir.string() + ": cannot create: " + errno_text();
  std::string err;
  for (const auto &[file, bytes] : files) {
    err = write_file_atomic((tmp / file).string(), bytes);
    if (!err.empty()) break;
  }
  // rename(2) of a folder fails if the target exists and is not empty: a
  // case written meanwhile by someone else is not replaced.
  if (err.empty() && std::rename(tmp.c_str(), final_dir.c_str()) != 0)
    err = final_dir.string() + ": cannot create: " + errno_text();
  if (!err.empty()) fs::remove_all(tmp, ec);
  return err;
}

std::string replace_dir_atomic(
    const std::string &root, const std::string &name,
    const std::map<std::string, std::vector<uint8_t>> &files) {
  fs::path final_dir = fs::path(root) / name;
  std::error_code ec;
  if (!fs::is_directory(final_dir, ec))
    return final_dir.string() + ": no such folder to replace";
  fs::path tmp = fs::path(root) / temporary_name(name);
  if (mkdir(tmp.c_str(), 0755) != 0)
    return final_dir.string() + ": cannot write: " + errno_text();
  std::string err;
  for (const auto &[file, bytes] : files) {
    err = write_file_atomic((tmp / file).string(), bytes);
    if (!err.empty()) break;
  }
  if (err.empty() && renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD,
                               final_dir.c_str(), RENAME_EXCHANGE) != 0)
    err = final_dir.string() + ": cannot replace: " + errno_text();
  // The new folder on an error, the old one once exchanged.
  fs::remove_all(tmp, ec);
  return err;
}

int sweep_temporaries(const std::string &dir) {
  int removed = 0;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(dir, ec)) {
    pid_t pid = writer_of(e.path().filename().string());
    if (pid <= 0 || pid == getpid()) continue;
    if (kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours
    std::error_code rm;
    fs::remove_all(e.path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

// --- ScratchDir. The signal handler reads only these fixed buffers.
namespace {

constexpr int kMaxScratchFiles = 8;
char g_scratch_dir[PATH_MAX];
char g_scratch_files[kMaxScratchFiles][PATH_MAX];
int g_scratch_count = 0;
volatile sig_atomic_t g_scratch_armed = 0;
const int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[3];

void remove_scratch() {
  for (int i = 0; i < g_scratch_count; ++i) unlink(g_scratch_files[i]);
  rmdir(g_scratch_dir);
}

void on_signal(int sig) {
  int saved_errno = errno;
  if (g_scratch_armed) {
    g_scratch_armed = 0;
    remove_scratch();
  }
  signal(sig, SIG_DFL);
  raise(sig);
  errno = saved_errno;
}

bool copy_path(char *dst, const std::string &src) {
  if (src.size() >= PATH_MAX) return false;
  std::memcpy(dst, src.c_str(), src.size() + 1);
  return true;
}

}  // namespace

ScratchDir::ScratchDir(const std::string &prefix,
                       const std::vector<std::string> &names) {
  if (g_scratch_armed) return;  // one at a time
  const char *base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/" + prefix + ".XXXXXX";
  if (static_cast<int>(names.size() * 2) > kMaxScratchFiles ||
      !mkdtemp(tmpl.data()))
    return;
  bool fits = copy_path(g_scratch_dir, tmpl);
  g_scratch_count = 0;
  for (const std::string &n : names) {
    fits &= copy_path(g_scratch_files[g_scratch_count++], tmpl + "/" + n);
    fits &= copy_path(g_scratch_files[g_scratch_count++],
                      tmpl + "/" + temporary_name(n));
  }
  if (!fits) {
    rmdir(tmpl.c_str());
    return;
  }
  path_ = tmpl;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : kSignals) sigaddset(&sa.sa_mask, s);
  for (int i = 0; i < 3; ++i) {
    sigaction(kSignals[i], &sa, &g_previous[i]);
    // A signal the caller ignores (SIGINT under a non-interactive shell)
    // stays ignored.
    if (g_previous[i].sa_handler == SIG_IGN)
      sigaction(kSignals[i], &g_previous[i], nullptr);
  }
  g_scratch_armed = 1;
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  sigset_t block, old;
  sigemptyset(&block);
  for (int s : kSignals) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, &old);
  g_scratch_armed = 0;
  remove_scratch();
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace nsfuzz
