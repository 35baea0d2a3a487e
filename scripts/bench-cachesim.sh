#!/bin/sh
# `osarch cachesim` and `osarch replay --arch mach` on lackey traces of
# about 5, 20 and 60 million lines (issue 19 measured 53 M): prints, for
# each size, "cachesim: N M lines/s (T ns a line)" and "replay --arch mach:
# S s (T ns a line)", medians of three runs. The rates should not fall with
# the size (the cost is linear in references). With a second argument, the
# repository of an earlier build (make bench ORIG=DIR, its programs in
# DIR/build), the same runs of that build follow each line with the ratio
# "R× the original" (its time over ours), measured in the same run.
#
# The traces are real when valgrind is installed (lackey on `gzip -c` of a
# deterministic input, about 40 s of valgrind for the largest), generated
# otherwise (bench/gen_lackey.c, whose miss rates are higher than a real
# program's, so its rate is lower).
build="$1"
orig="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(pwd)

# median_time DIR CMD...: the median wall time of three runs of CMD in DIR
# (seconds), its output thrown away.
median_time() {
	dir="$1"; shift
	for i in 1 2 3; do
		start=$(date +%s.%N)
		(cd "$dir" && "$@" > /dev/null) || { echo "bench: $* failed in $dir" >&2; exit 1; }
		end=$(date +%s.%N)
		awk "BEGIN { print $end - $start }"
	done | sort -n | sed -n 2p
}

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
	t=$(median_time "$here" "$build/osarch" cachesim "$tmp/t.trace")
	line=$(awk "BEGIN { printf \"cachesim: %.0f M lines/s (%.1f ns a line), %d lines, %s\", $n / $t / 1e6, $t * 1e9 / $n, $n, \"$src\" }")
	if [ -n "$orig" ]; then
		o=$(median_time "$orig" build/osarch cachesim "$tmp/t.trace")
		line="$line; $(awk "BEGIN { printf \"%.2f\", $o / $t }")× the original ($o s)"
	fi
	echo "$line"
	t=$(median_time "$here" "$build/osarch" replay --arch mach -o "$tmp/rp" "$tmp/t.trace")
	line=$(awk "BEGIN { printf \"replay --arch mach: %.2f s (%.1f ns a line), %d lines\", $t, $t * 1e9 / $n, $n }")
	if [ -n "$orig" ]; then
		o=$(median_time "$orig" build/osarch replay --arch mach -o "$tmp/rp-orig" "$tmp/t.trace")
		line="$line; $(awk "BEGIN { printf \"%.2f\", $o / $t }")× the original ($o s)"
	fi
	echo "$line"
	rm -rf "$tmp/t.trace" "$tmp/rp" "$tmp/rp-orig"
done
