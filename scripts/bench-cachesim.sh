#!/bin/sh
# `osarch cachesim` on generated lackey traces of 5, 20 and 53 million lines
# (bench/gen_lackey.c; 53 M is issue 19's size): prints "cachesim: N M
# lines/s (T ns a line), L lines" for each; the rate should not fall with
# the size. Best of three runs each.
build="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in ${CACHESIM_LINES:-5000000 20000000 53000000}; do
	"$build/gen_lackey" $n > "$tmp/t.trace" || exit 1
	"$build/osarch" cachesim "$tmp/t.trace" > /dev/null || exit 1 # into the page cache
	best=0
	for i in 1 2 3; do
		start=$(date +%s.%N)
		"$build/osarch" cachesim "$tmp/t.trace" > /dev/null || exit 1
		end=$(date +%s.%N)
		best=$(awk "BEGIN { t = $end - $start; print ($best == 0 || t < $best) ? t : $best }")
	done
	awk "BEGIN { printf \"cachesim: %.0f M lines/s (%.1f ns a line), %d lines\n\", $n / $best / 1e6, $best * 1e9 / $n, $n }"
	rm -f "$tmp/t.trace"
done
