#!/bin/sh
# Times a 1,000-point sweep with -j 1 and -j 2 (issue 9's target: under 30 s
# with -j 2 on a 2-core machine). Prints "sweep POINTS points -j N: S s".
osarch="$1"; config="$2"
tmp=$(mktemp -d)
for j in 1 2; do
	start=$(date +%s.%N)
	"$osarch" run "$config" -o "$tmp/j$j" -j $j --quiet || { rm -rf "$tmp"; exit 1; }
	end=$(date +%s.%N)
	points=$(($(wc -l < "$tmp/j$j/results.csv") - 1))
	echo "sweep $points points -j $j: $(awk "BEGIN { printf \"%.2f\", $end - $start }") s"
done
cmp -s "$tmp/j1/results.csv" "$tmp/j2/results.csv" && echo "sweep -j 1 and -j 2: identical results.csv" || echo "sweep -j 1 and -j 2: DIFFERENT results"
rm -rf "$tmp"
