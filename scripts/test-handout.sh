#!/bin/sh
# test-handout.sh: `make test-handout`. Builds report/REPORT.pdf (scripts/
# handout.sh), renders every page with pdftoppm, and finds every figure of
# REPORT.md in the PDF: the embedded images, in document order, are as many
# as the figures and each has the pixel size of its plots/NAME.png; each
# caption is in the PDF's text. Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
check() { # condition-status what detail
	if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok $2"; else fail=$((fail + 1)); echo "FAIL: $2${3:+: $3}"; fi
}
if ! command -v pdftoppm >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
	fi
	command -v pdftoppm >/dev/null 2>&1 || { echo "test-handout: pdftoppm not found (apt-get install poppler-utils)"; echo "0 passed, 1 failed"; exit 1; }
fi
sh scripts/handout.sh; check $? "make handout writes report/REPORT.pdf"
pdf=report/REPORT.pdf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

pages=$(pdfinfo "$pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
pdftoppm -r 30 -png "$pdf" "$tmp/p"; check $? "pdftoppm renders the PDF"
rendered=$(ls "$tmp"/p-*.png 2>/dev/null | wc -l | tr -d ' ')
[ -n "$pages" ] && [ "$pages" -gt 0 ] && [ "$rendered" = "$pages" ]; check $? "every page rendered" "$rendered of $pages"
empty=0
for f in "$tmp"/p-*.png; do [ -s "$f" ] || empty=$((empty + 1)); done
[ $empty = 0 ]; check $? "no page renders empty" "$empty"

# The figures of REPORT.md, in order, and the images in the PDF, in order.
sed -n 's/.*!\[\([^]]*\)\](plots\/\([^)]*\)\.svg).*/\2|\1/p' REPORT.md >"$tmp/figs"
nfig=$(wc -l <"$tmp/figs" | tr -d ' ')
pdfimages -list "$pdf" | tail -n +3 | awk '{print $4 "x" $5}' >"$tmp/imgs"
nimg=$(wc -l <"$tmp/imgs" | tr -d ' ')
[ "$nfig" -gt 0 ] && [ "$nimg" = "$nfig" ]; check $? "one image per figure" "$nimg images, $nfig figures"
pdftotext -layout "$pdf" - | tr -s ' \n' ' ' >"$tmp/text"
i=0
while IFS='|' read -r name caption; do
	i=$((i + 1))
	png=plots/$name.png
	# PNG: width and height are the big-endian words at bytes 16 and 20.
	want=$(od -An -tu1 -j16 -N8 "$png" 2>/dev/null | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
	got=$(sed -n "${i}p" "$tmp/imgs")
	[ -n "$want" ] && [ "$got" = "$want" ]; check $? "figure $i ($name) in the PDF at $want" "$got"
	words=$(printf '%s' "$caption" | cut -c1-40 | tr -s ' ')
	grep -qF "$words" "$tmp/text"; check $? "figure $i caption in the PDF text" "$words"
done <"$tmp/figs"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
