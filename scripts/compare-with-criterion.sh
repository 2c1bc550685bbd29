#!/usr/bin/env bash
# A/A trials of the calibration busy loop, judged two ways from the same
# runs: by criterion's own baseline comparison (`--save-baseline`, then
# `--baseline`) and by perfgate's gate.
#
# One trial = two runs of the `calibrate_busy` bench target on unchanged
# code, the way `cargo bench` runs the routing suite: criterion drives,
# perfgate's sampler takes the samples inside it (criterion sees the clean
# ones), and the gate judges at the end. The first run saves both
# criterion's baseline and perfgate's; the second compares with both. The
# contention generator runs through each whole run when it is on.
# criterion's verdict is its "Performance has regressed" line; perfgate's
# is the gate's exit status (after its confirming re-measures). Both
# counts, with 95% Wilson intervals, are printed at the end.
#
# Usage: scripts/compare-with-criterion.sh [--trials N] [--contention on|off]
#                                          [--seed S]
#   --trials N        A/A trials (default 8; about 45 s each with
#                     criterion's default 3 s warm-up and 5 s measurement)
#   --contention X    contention generator on (default) or off
#   --seed S          seed of the contention bursts (default 1; trial i
#                     uses 1000 S + i)
set -euo pipefail
cd "$(dirname "$0")/.."

trials=8
contention=on
seed=1
while [ $# -gt 0 ]; do
    case "$1" in
        --trials) trials="$2"; shift 2 ;;
        --contention) contention="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next }
                        NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$contention" in on|off) ;; *)
    echo "--contention must be on or off, not '$contention'" >&2; exit 2 ;;
esac
case "$trials" in ''|*[!0-9]*|0)
    echo "--trials must be a positive whole number, not '$trials'" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/baselines" "$work/reports"
# The committed gate settings, with baselines and reports kept apart from
# the repository's.
{
    echo "baselines_dir = \"$work/baselines\""
    echo "reports_dir = \"$work/reports\""
    if [ -f perfgate.toml ]; then
        grep -v -E '^[[:space:]]*(baselines_dir|reports_dir)[[:space:]]*=' perfgate.toml
    fi
} >"$work/perfgate.toml"
export PERFGATE_CONFIG="$work/perfgate.toml"
export PERFGATE_RECORDS_DIR="$work/records"
export PERFGATE_CALIBRATE_DIR="$work"
export PERFGATE_CALIBRATE_CONTENTION="$contention"

echo "building the calibrate_busy bench target..." >&2
if ! cargo bench --bench calibrate_busy --no-run 2>"$work/build.log"; then
    cat "$work/build.log" >&2; exit 2
fi

run() { # trial, then criterion's baseline option
    PERFGATE_CALIBRATE_SEED=$((seed * 1000 + $1)) \
        cargo bench -q --bench calibrate_busy -- --color never --noplot \
        "$2" perfgate-calibrate \
        2>"$work/err.log"
}

start=$(date +%s)
crit_regressed=0; crit_improved=0
pg_regressed=0; pg_inconclusive=0
for i in $(seq 1 "$trials"); do
    if ! PERFGATE_SAVE_BASELINE=1 run "$i" --save-baseline >"$work/base.log"; then
        cat "$work/err.log" >&2; exit 2
    fi
    status=0
    run "$i" --baseline >"$work/cand.log" || status=$?
    crit="no change"
    if grep -q "Performance has regressed" "$work/cand.log"; then
        crit="regressed"; crit_regressed=$((crit_regressed + 1))
    elif grep -q "Performance has improved" "$work/cand.log"; then
        crit="improved"; crit_improved=$((crit_improved + 1))
    fi
    case "$status" in
        0) pg=pass ;;
        1) pg=regressed; pg_regressed=$((pg_regressed + 1)) ;;
        3) pg=inconclusive; pg_inconclusive=$((pg_inconclusive + 1)) ;;
        *) echo "trial $i: the gate failed (exit status $status)" >&2
           cat "$work/err.log" "$work/cand.log" >&2; exit 2 ;;
    esac
    change="$(sed -n 's/.*change: *\(\[[^]]*\]\).*/\1/p' "$work/cand.log" | head -1)"
    echo "trial $i/$trials: criterion $crit $change, perfgate $pg" >&2
done
elapsed=$(( $(date +%s) - start ))

# 95% Wilson score interval of k in n, as "k/n rate% [lo, hi]".
wilson() {
    awk -v k="$1" -v n="$2" 'BEGIN {
        z = 1.959963984540054; p = k / n; d = 1 + z * z / n
        c = (p + z * z / (2 * n)) / d
        h = z / d * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lo = c - h; if (lo < 0) lo = 0; hi = c + h; if (hi > 1) hi = 1
        printf "%d/%d %.1f%% [%.1f, %.1f]", k, n, 100 * p, 100 * lo, 100 * hi }'
}

echo "A/A trials: $trials, contention $contention, seed $seed, ${elapsed} s"
printf '%-10s %-28s %s\n' "judge" "regressed [95% CI]" "other"
printf '%-10s %-28s %s\n' "criterion" "$(wilson "$crit_regressed" "$trials")" \
    "improved $crit_improved"
printf '%-10s %-28s %s\n' "perfgate" "$(wilson "$pg_regressed" "$trials")" \
    "inconclusive $pg_inconclusive"
