#!/usr/bin/env bash
# A/A trials of the calibration busy loop, judged two ways from the same
# runs: by criterion's own baseline comparison (`--save-baseline`, then
# `--baseline`) and by perfgate's gate.
#
# One trial = two runs of the `calibrate_busy` bench target on unchanged
# code. Each run times the busy loop through criterion and then through
# perfgate's sampler, with the contention generator running the whole time
# when it is on. The second run's criterion output is searched for
# "Performance has regressed"; perfgate compares the second run's samples
# with the first's and prints its verdict. Both counts, with 95% Wilson
# intervals, are printed at the end.
#
# Usage: scripts/compare-with-criterion.sh [--trials N] [--contention on|off]
#                                          [--seed S] [--quick]
#   --trials N        A/A trials (default 8; about 40 s each with criterion's
#                     default 3 s warm-up and 5 s measurement per run)
#   --contention X    contention generator on (default) or off
#   --seed S          seed of the contention bursts (default 1; trial i
#                     uses S + i)
#   --quick           criterion with 1 s warm-up and 2 s measurement, for a
#                     fast look (not criterion's defaults)
set -euo pipefail
cd "$(dirname "$0")/.."

trials=8
contention=on
seed=1
criterion_time=()
while [ $# -gt 0 ]; do
    case "$1" in
        --trials) trials="$2"; shift 2 ;;
        --contention) contention="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --quick) criterion_time=(--warm-up-time 1 --measurement-time 2); shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
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
export PERFGATE_CALIBRATE_DIR="$work"
export PERFGATE_CALIBRATE_CONTENTION="$contention"

echo "building the calibrate_busy bench target..." >&2
cargo bench --bench calibrate_busy --no-run >&2 2>"$work/build.log" || {
    cat "$work/build.log" >&2; exit 2; }

run() { # role trial criterion-baseline-flag
    PERFGATE_CALIBRATE_ROLE="$1" PERFGATE_CALIBRATE_SEED=$((seed * 1000 + $2)) \
        cargo bench -q --bench calibrate_busy -- --color never --noplot \
        "${criterion_time[@]}" "$3" perfgate-calibrate 2>"$work/err.log"
}

start=$(date +%s)
crit_regressed=0; crit_improved=0
pg_regressed=0; pg_inconclusive=0; pg_improved=0
for i in $(seq 1 "$trials"); do
    run baseline "$i" --save-baseline >"$work/base.log" || {
        cat "$work/err.log" >&2; exit 2; }
    run candidate "$i" --baseline >"$work/cand.log" || {
        cat "$work/err.log" >&2; exit 2; }
    crit="no change"
    if grep -q "Performance has regressed" "$work/cand.log"; then
        crit="regressed"; crit_regressed=$((crit_regressed + 1))
    elif grep -q "Performance has improved" "$work/cand.log"; then
        crit="improved"; crit_improved=$((crit_improved + 1))
    fi
    pg="$(sed -n 's/^perfgate verdict: \([a-z]*\).*/\1/p' "$work/cand.log")"
    case "$pg" in
        regressed) pg_regressed=$((pg_regressed + 1)) ;;
        inconclusive) pg_inconclusive=$((pg_inconclusive + 1)) ;;
        improved) pg_improved=$((pg_improved + 1)) ;;
        pass) ;;
        *) echo "trial $i: no perfgate verdict in the bench output" >&2
           cat "$work/cand.log" >&2; exit 2 ;;
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
    "inconclusive $pg_inconclusive, improved $pg_improved"
