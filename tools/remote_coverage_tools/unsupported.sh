#!/bin/sh
echo "bazel coverage is not available offline; run ci/coverage (llvm-cov) instead" >&2
exit 1
