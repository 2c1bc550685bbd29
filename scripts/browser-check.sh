#!/usr/bin/env bash
# Browser check of the HTML report: renders the fixture reports
# (examples/report_fixture.rs) in headless Chromium and fails when a page
# does not render or its screenshot is blank.
#
# Usage: scripts/browser-check.sh [output dir]   (default: a temporary dir)
# Installs Debian's `chromium` when it is missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-$(mktemp -d)}/browser check"   # a space in the path on purpose (C08)
mkdir -p "$out"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "browser-check: chromium is missing and installing it needs root" >&2
        exit 2
    fi
    echo "browser-check: installing chromium" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi

cargo run --quiet --example report_fixture -- "$out"

status=0
for case in suite hostile; do
    page="$out/$case/index.html"
    png="$out/$case.png"
    profile="$(mktemp -d)"
    # Rendering a local file needs no network; every network feature is off
    # so a page that tried to load something would show it as missing.
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --hide-scrollbars --user-data-dir="$profile" \
        --screenshot="$png" --window-size=1280,2400 "file://$page" \
        >"$out/$case.chromium.log" 2>&1 || true
    rm -rf "$profile"
    if ! python3 scripts/png_check.py "$png"; then
        echo "browser-check: $case: page did not render (see $out/$case.chromium.log)" >&2
        status=1
    fi
done
echo "browser-check: screenshots in $out" >&2
exit "$status"
