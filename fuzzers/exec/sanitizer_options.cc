// Sanitizer defaults of the harness's binaries (fuzz targets, triage).
//
// TSan: a data race is a finding, so it must end the run (halt_on_error)
// for libFuzzer to keep the input and for triage to see one report; and
// libFuzzer's own crash handler, which runs in a signal handler when a
// finding aborts, is not async-signal-safe: TSan would report it instead of
// the finding, and can hang there. The environment's TSAN_OPTIONS still win.
extern "C" const char *__tsan_default_options() {
  return "halt_on_error=1:report_signal_unsafe=0";
}
