#!/usr/bin/env bash
# Makes docs/play-report.png: runs the README's facilitator session (the shell block after its marker)
# in a temporary folder, then screenshots its last report (out/game-lending/report.html) in headless
# Chromium at 1200x1600, showing the page's header and its "Why the states moved" section (the other
# sections hidden by a style added to a copy of the page).
# Usage: tests/browser/play_report_shot.sh [OUTPUT.png]   (default docs/play-report.png)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shot=${1:-docs/play-report.png}
case "$shot" in /*) ;; *) shot="$root/$shot" ;; esac
browser=$(command -v chromium || command -v chromium-browser) || {
    echo "needs chromium (apt-get install chromium)" >&2
    exit 1
}
cargo build --release -q
bin="$root/target/release/greatgame"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - README.md >"$work/session.sh" <<'PY'
import sys
readme = open(sys.argv[1], encoding="utf-8").read()
block = readme[readme.index("<!-- facilitator-session:"):]
start = block.index("```sh\n") + 6
print(block[start:block.index("```", start)])
PY
(
    cd "$work"
    greatgame() { "$bin" "$@"; }
    # shellcheck disable=SC1091
    source ./session.sh >/dev/null
)
python3 - "$work/out/game-lending/report.html" "$work/shot.html" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
style = "<style>section:not(#attribution),footer{display:none}</style>"
open(sys.argv[2], "w", encoding="utf-8").write(html.replace("</head>", style + "</head>", 1))
PY
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --force-device-scale-factor=1 \
    --window-size=1200,1600 --virtual-time-budget=5000 --screenshot="$shot" "file://$work/shot.html" \
    2>/dev/null
echo "$shot"
