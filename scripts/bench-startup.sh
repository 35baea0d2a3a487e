#!/bin/sh
# Start-up of `osarch --help` and `osarch list` (which loads every
# architecture, workload and profile file): the median of 50 runs each.
# `osarch` links neither SimGrid nor PAPI (include/base/cli.h); issue 19's target
# for `osarch list` is under 5 ms.
osarch="$1"
for args in "--help" "list"; do
	for i in $(seq 50); do
		s=$(date +%s%N); "$osarch" $args > /dev/null 2>&1; e=$(date +%s%N)
		echo $(( (e - s) / 1000 ))
	done | sort -n | awk -v a="$args" '{ v[NR] = $1 } END { printf "start-up: osarch %s %.2f ms (median of %d)\n", a, v[int((NR + 1) / 2)] / 1000, NR }'
done
