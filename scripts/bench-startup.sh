#!/bin/sh
# Start-up of `osarch --help` and `osarch list` (which loads every
# architecture, workload and profile file), and of /bin/true as the
# reference for what starting any program costs here: the median of 100
# runs each, spawn to exit (bench/spawn_time.c). `osarch` links neither
# SimGrid nor PAPI (include/base/cli.h); issue 19's target for `osarch list`
# is under 5 ms: with the parse cache of build/cache warm (the first run
# fills it), and, on a line of its own, with it off. With a third argument,
# the repository of an earlier build (make bench ORIG=DIR), its `osarch` is
# timed the same way, in its tree.
build="$1"
osarch="$2"
orig="$3"
st="$(cd "$build" && pwd)/spawn_time"
t=$("$st" 100 /bin/true) || exit 1
echo "start-up: /bin/true $t ms (median of 100; the reference)"
for args in "--help" "list"; do
	t=$("$st" 100 "$osarch" $args) || exit 1
	line="start-up: osarch $args $t ms (median of 100)"
	if [ -n "$orig" ]; then
		o=$(cd "$orig" && "$st" 100 build/osarch $args) || exit 1
		line="$line; the original $o ms"
	fi
	echo "$line"
done
# The same without the parse cache (src/base/ydoccache.c): every file
# through libyaml, as on the first run after a change or with the cache off.
t=$(OSARCH_CACHE=off "$st" 100 "$osarch" list) || exit 1
echo "start-up: osarch list $t ms with OSARCH_CACHE=off (median of 100; every file parsed)"
