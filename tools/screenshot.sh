#!/usr/bin/env bash
# Screenshot a page of the built docs site with headless Chromium (Debian package `chromium`), no network:
#   bash tools/screenshot.sh _docs/index.html out.png [width] [height]
set -euo pipefail
command -v chromium >/dev/null || { echo "screenshot: install Debian's chromium (apt-get install chromium)" >&2; exit 1; }
page=$(readlink -f "$1"); out=$(readlink -f "$2")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --virtual-time-budget=5000 --window-size="${3:-1400},${4:-1000}" --screenshot="$out" "file://$page" 2>/dev/null
echo "screenshot: $out"
