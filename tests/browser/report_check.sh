#!/usr/bin/env bash
# The HTML report in a real browser: Debian's headless Chromium loads the built-in scenario's report from
# disk with the network off and we check that it raises no console error, that every chart is there and
# draws something (its pixels in a screenshot), and that the briefing is there.
# Usage: tests/browser/report_check.sh [SCREENSHOT.png]   (the optional argument keeps the screenshot)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/browser

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        browser=$(command -v chromium)
    else
        echo "skipping tests/browser/report_check.sh: chromium is not installed and installing it needs root"
        exit 0
    fi
fi
python=$(command -v python3 || true)
if [ -z "$python" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-minimal >/dev/null
        python=$(command -v python3)
    else
        echo "skipping tests/browser/report_check.sh: needs python3"
        exit 0
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q
target/release/greatgame compare --runs 300 --trajectories --summary-only -q --out "$work/out" --report >/dev/null
report="$work/out/report.html"

# A copy of the page with a probe in front: it records every error and console error into the DOM and,
# once loaded, each chart's box, for --dump-dom to show. The report itself runs no script.
probe='<script>(function(){var d=document.documentElement,e=[];
function note(m){e.push(String(m));d.setAttribute("data-errors",e.join(" | "));}
window.addEventListener("error",function(x){note(x.message||("failed to load "+(x.target&&(x.target.src||x.target.href))));},true);
var ce=console.error;console.error=function(){note(Array.prototype.join.call(arguments," "));ce.apply(console,arguments);};
window.addEventListener("load",function(){var f=document.querySelectorAll("figure[data-chart]");
for(var i=0;i<f.length;i++){var s=f[i].querySelector("svg");var r=(s||f[i]).getBoundingClientRect();
f[i].setAttribute("data-rect",[Math.round(r.left+scrollX),Math.round(r.top+scrollY),Math.round(r.width),Math.round(r.height)].join(","));}
d.setAttribute("data-height",Math.ceil(d.scrollHeight));d.setAttribute("data-probe","done");});})();</script>'
"$python" - "$report" "$work/probed.html" "$probe" <<'PY'
import sys
src, dst, probe = sys.argv[1], sys.argv[2], sys.argv[3]
html = open(src, encoding="utf-8").read()
open(dst, "w", encoding="utf-8").write(html.replace("<head>", "<head>" + probe, 1))
PY

# The network off: a namespace without interfaces where we may make one, else a proxy that refuses.
offline=()
if unshare -n true 2>/dev/null; then
    offline=(unshare -n)
fi
chrome() {
    "${offline[@]}" "$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars \
        --force-device-scale-factor=1 --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
        --virtual-time-budget=5000 "$@" 2>"$work/chrome.log"
}
chrome --window-size=1200,1000 --dump-dom "file://$work/probed.html" >"$work/dom.html"
height=$("$python" -c 'import re,sys; print(re.search(r"data-height=\"(\d+)\"", open(sys.argv[1]).read()).group(1))' "$work/dom.html")
chrome --window-size=1200,"$height" --screenshot="$work/shot.png" "file://$work/probed.html" >/dev/null

"$python" - "$report" "$work/dom.html" "$work/shot.png" "$here" <<'PY'
import re, sys
report, dom, shot, here = sys.argv[1:5]
sys.path.insert(0, here)
import png

failures = []
page = open(report, encoding="utf-8").read()
dom = open(dom, encoding="utf-8").read()
if 'data-probe="done"' not in dom:
    failures.append("the page never finished loading")
errors = re.search(r'data-errors="([^"]*)"', dom)
if errors:
    failures.append("console errors: " + errors.group(1))
expected = re.findall(r'data-chart="([^"]+)"', page)
boxes = dict(re.findall(r'data-chart="([^"]+)"[^>]*data-rect="([^"]+)"', dom))
width, height, rows = png.read(shot)
for chart in expected:
    if chart not in boxes:
        failures.append(f"chart {chart}: not laid out")
        continue
    x, y, w, h = map(int, boxes[chart].split(","))
    if w < 100 or h < 60:
        failures.append(f"chart {chart}: {w}x{h} px, too small")
        continue
    # Drawn: any ink (axes, labels, marks); coloured: the data marks in the poles' colours.
    drawn = png.count_ink(rows, x, y, w, h) / (w * h)
    coloured = png.count_colour(rows, x, y, w, h) / (w * h)
    print(f"chart {chart}: {w}x{h} px at ({x},{y}), {drawn:.1%} drawn, {coloured:.1%} in colour")
    if drawn < 0.02 or coloured < 0.003:
        failures.append(f"chart {chart}: blank ({drawn:.2%} drawn, {coloured:.2%} in colour)")
briefing = re.search(r'<section id="briefing">(.*?)</section>', dom, re.S)
if not briefing or "the dominant partner of" not in briefing.group(1):
    failures.append("no briefing sentences")
print(f"{len(expected)} charts checked in a {width}x{height} screenshot")
if failures:
    print("\n".join("FAIL: " + f for f in failures))
    print("0 passed, 1 failed")
    sys.exit(1)
print("1 passed, 0 failed")
PY
if [ $# -ge 1 ]; then
    cp "$work/shot.png" "$1"
fi
echo "browser check of the report: ok"
