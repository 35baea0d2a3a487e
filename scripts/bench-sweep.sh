#!/bin/sh
# Times sweeps of three sizes with -j 1 and -j 2 and prints, for each,
# "sweep N points -j J: S s, P points/s" and -j 2's time as a fraction of
# -j 1's (issue 19's targets: twice the points/s of before at -j 1, and
# -j 2 within 60% of -j 1's time on the 52,500-point sweep). The cost must
# stay linear in points: points/s should not fall with the size. With
# ORIG=DIR in the environment (make bench ORIG=DIR), the repository of an
# earlier build, its `osarch` runs the same sweep in its own tree right
# after ours, and each line ends with "R× the original's points/s".
osarch="$1"; shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(pwd)
for config in "$@"; do
	case "$config" in /*) ;; *) config="$here/$config";; esac
	for j in 1 2; do
		start=$(date +%s.%N)
		"$osarch" run "$config" -o "$tmp/j$j" -j $j --quiet || exit 1
		end=$(date +%s.%N)
		points=$(($(wc -l < "$tmp/j$j/results.csv") - 1))
		eval "t$j=$(awk "BEGIN { printf \"%.3f\", $end - $start }")"
		eval "t=\$t$j"
		line="sweep $points points -j $j: $t s, $(awk "BEGIN { printf \"%.0f\", $points / $t }") points/s"
		if [ -n "$ORIG" ]; then
			start=$(date +%s.%N)
			(cd "$ORIG" && build/osarch run "$config" -o "$tmp/orig" -j $j --quiet) || exit 1
			end=$(date +%s.%N)
			o=$(awk "BEGIN { printf \"%.3f\", $end - $start }")
			line="$line; $(awk "BEGIN { printf \"%.2f\", $o / $t }")× the original's points/s ($o s)"
			rm -rf "$tmp/orig"
		fi
		echo "$line"
	done
	echo "sweep $points points: -j 2 takes $(awk "BEGIN { printf \"%.0f\", 100 * $t2 / $t1 }")% of -j 1's time"
	cmp -s "$tmp/j1/results.csv" "$tmp/j2/results.csv" || { echo "sweep -j 1 and -j 2: DIFFERENT results"; exit 1; }
	rm -rf "$tmp/j1" "$tmp/j2"
done
echo "sweep -j 1 and -j 2: identical results.csv"
