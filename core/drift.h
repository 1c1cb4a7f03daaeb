// Schedule drift, for tests only: schedule points that a harmless change to
// the core could add (a new point at an operation's entry, around a
// refcount change). Compiled in only by --//core:drift=on (the *-drift
// configs), so that the replay suite can check that committed cases keep
// their verdicts when the points around their anchors move.
#ifndef NSFUZZ_CORE_DRIFT_H_
#define NSFUZZ_CORE_DRIFT_H_

#include "core/sched.h"

#ifdef NSFUZZ_SCHED_DRIFT
#define SCHED_DRIFT_POINT(site, obj) ::nsfuzz::sched_point(site, obj)
namespace nsfuzz {
inline constexpr bool kScheduleDrift = true;
}
#else
#define SCHED_DRIFT_POINT(site, obj) ((void)0)
namespace nsfuzz {
inline constexpr bool kScheduleDrift = false;
}
#endif

#endif  // NSFUZZ_CORE_DRIFT_H_
