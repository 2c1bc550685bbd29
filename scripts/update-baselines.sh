#!/usr/bin/env bash
# Records new baselines: runs the benchmark suite with
# PERFGATE_SAVE_BASELINE=1, which saves every benchmark measured (or those
# a filter selects, e.g. `scripts/update-baselines.sh large_dag`) into
# baselines/ instead of comparing. Review the diff and commit it.
#
# Run it on the machine the gate runs on: a baseline from another machine
# is compared only with a warning (see `machine_mismatch` in perfgate.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

PERFGATE_SAVE_BASELINE=1 cargo bench --bench halo_routing -- "$@"

echo "update-baselines.sh: changed baselines:" >&2
git status --short -- baselines/ >&2 || true
echo "update-baselines.sh: review with \`git diff baselines/\`, then commit." >&2
