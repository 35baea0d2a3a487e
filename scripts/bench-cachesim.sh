#!/bin/sh
# `osarch cachesim` on lackey traces of about 5, 20 and 53 million lines (53
# M is issue 19's size): prints "cachesim: N M lines/s (T ns a line), L
# lines, SOURCE" for each, best of three runs; the rate should not fall
# with the size. The traces are real when valgrind is installed (lackey on
# `gzip -c` of a deterministic input, about 45 s of valgrind for the
# largest), generated otherwise (bench/gen_lackey.c, whose miss rates are
# higher than a real program's, so its rate is lower).
build="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for kb in ${CACHESIM_KB:-17 66 166}; do
	if command -v valgrind >/dev/null 2>&1; then
		seq 1 1000000 | head -c $((kb * 1024)) > "$tmp/in"
		valgrind --tool=lackey --trace-mem=yes --log-fd=3 gzip -c "$tmp/in" 3>"$tmp/t.trace" >/dev/null 2>&1 || exit 1
		src="valgrind lackey, gzip -c of $kb KiB"
	else
		"$build/gen_lackey" $((kb * 320000)) > "$tmp/t.trace" || exit 1
		src="generated (bench/gen_lackey.c; no valgrind)"
	fi
	n=$(wc -l < "$tmp/t.trace")
	"$build/osarch" cachesim "$tmp/t.trace" > /dev/null || exit 1 # into the page cache
	best=0
	for i in 1 2 3; do
		start=$(date +%s.%N)
		"$build/osarch" cachesim "$tmp/t.trace" > /dev/null || exit 1
		end=$(date +%s.%N)
		best=$(awk "BEGIN { t = $end - $start; print ($best == 0 || t < $best) ? t : $best }")
	done
	awk "BEGIN { printf \"cachesim: %.0f M lines/s (%.1f ns a line), %d lines, %s\n\", $n / $best / 1e6, $best * 1e9 / $n, $n, \"$src\" }"
	rm -f "$tmp/t.trace"
done
