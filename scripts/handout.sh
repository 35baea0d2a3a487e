#!/bin/sh
# handout.sh: REPORT.md as a printable PDF, report/REPORT.pdf (`make handout`).
#
#   sh scripts/handout.sh
#
# REPORT.md becomes report/handout.html (cmark-gfm with GitHub's tables, a
# print style sheet: A4, figures kept whole, tables in a smaller type), then
# headless Chromium (the one the browser test uses) prints that page to PDF.
# Figures are plots/*.png, referenced from the page: printed from the .svg
# files the hatch patterns made a 66 MB PDF; the PNGs give a few MB.
# Missing tools (cmark-gfm, chromium) are installed when root, as
# scripts/deps.sh does; otherwise the line to run is printed. Exit 0 written,
# 1 a tool is missing or failed.
cd "$(dirname "$0")/.." || exit 1
chromium=${CHROMIUM:-/usr/bin/chromium}
out=report/REPORT.pdf
html=report/handout.html

need() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "handout: installing $2" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null && return 0
	fi
	echo "handout: $1 not found; install it: apt-get install $2 (Fedora: dnf install $3)" >&2
	exit 1
}
need cmark-gfm cmark-gfm cmark-gfm
[ -x "$chromium" ] || sh scripts/browser-deps.sh >/dev/null || exit 1
[ -f REPORT.md ] || { echo "handout: REPORT.md not found (make report)" >&2; exit 1; }
mkdir -p report || exit 1

tmp=$html.$$.tmp
trap 'rm -f "$tmp"' EXIT
{
	cat <<'HEAD'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<base href="../">
<title>Operating-system structure, measured: a handout (osarch)</title>
<style>
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
body { font: 10pt/1.4 "DejaVu Serif", Georgia, serif; color: #111; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; break-after: avoid; margin-top: 1.4em; }
h3 { font-size: 11.5pt; break-after: avoid; }
p, li { orphans: 3; widows: 3; }
code { font: 8.8pt "DejaVu Sans Mono", monospace; }
table { border-collapse: collapse; font: 8.5pt "DejaVu Sans", sans-serif; margin: .5em 0; break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2px 5px; vertical-align: top; }
th { background: #eee; }
img { display: block; max-width: 100%; height: auto; margin: .6em auto 0; break-inside: avoid; }
p:has(> img) { break-inside: avoid; }
.cap { text-align: center; font: italic 9pt "DejaVu Sans", sans-serif; margin: .2em 0 1em; }
</style></head><body>
HEAD
	# A figure's alt text is shown under it as its caption.
	cmark-gfm -e table --unsafe REPORT.md |
		sed 's#<p><img src="\(plots/[^"]*\)\.svg" alt="\([^"]*\)" /></p>#<p class="fig"><img src="\1.png" alt="\2" /></p><p class="cap">\2</p>#'
	printf '</body></html>\n'
} >"$tmp" || exit 1
mv "$tmp" "$html" || exit 1

# --no-pdf-header-footer (Chromium 110 and later): no date, title or URL on the pages.
"$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
	--no-pdf-header-footer --run-all-compositor-stages-before-draw --virtual-time-budget=5000 \
	--print-to-pdf="$PWD/$out" "file://$PWD/$html" 2>/dev/null || {
	echo "handout: chromium failed to print $html" >&2; exit 1; }
[ -s "$out" ] || { echo "handout: $out is empty" >&2; exit 1; }
echo "handout: wrote $out ($(wc -c <"$out" | tr -d ' ') bytes) from $html"
