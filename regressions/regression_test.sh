#!/usr/bin/env bash
# Replays every case under regressions/ (see BUILD). Args: TRIAGE.
set -uo pipefail
exec "$1" --check --regressions=regressions
