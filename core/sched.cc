// Schedule-point names and the fallback blocking of free-running mode.
#include "core/sched.h"

#include <sched.h>

namespace nsfuzz {

namespace sched_internal {
Scheduler *installed = nullptr;
constinit thread_local TaskLocal *task_local = nullptr;
}  // namespace sched_internal

namespace {
constinit thread_local TaskLocal own_task_local;
}  // namespace

TaskLocal &task_local() {
  TaskLocal *t = sched_internal::task_local;
  return t ? *t : own_task_local;
}

namespace {
struct SiteInfo {
  std::string_view name, doc;
};
constexpr SiteInfo kSites[] = {
#define SITE(name, doc) {#name, doc},
#include "core/sites.def"
#undef SITE
};
}  // namespace

std::string_view site_name(Site s) {
  return kSites[static_cast<int>(s)].name;
}
std::optional<Site> site_by_name(std::string_view name) {
  for (int i = 0; i < kNumSites; ++i)
    if (kSites[i].name == name) return static_cast<Site>(i);
  return std::nullopt;
}
std::string_view site_doc(Site s) {
  return kSites[static_cast<int>(s)].doc;
}

void install_scheduler(Scheduler *s) {
  sched_internal::installed = s;
}

void sched_block(Site site, const void *obj, WaitFor w) {
  if (sched_internal::installed) {
    sched_internal::installed->block(site, obj, w);
    return;
  }
  while (!w.ready(w.arg)) sched_yield();
}

}  // namespace nsfuzz
