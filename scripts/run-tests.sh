#!/bin/sh
# Runs every CMocka test binary (stderr merged: CMocka reports there) and
# ends with one line "N passed, N failed" over all of them.
build="$1"; shift
pass=0; fail=0; bad=""
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ]; then
		[ -z "$f" ] && fail=$((fail + 1))
		bad="$bad $(basename "$t")"
	fi
done
[ -n "$bad" ] && echo "failing test binaries:$bad"
echo "$pass passed, $fail failed"
[ -z "$bad" ]
