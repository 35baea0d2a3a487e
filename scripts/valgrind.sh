#!/bin/sh
# Runs every test binary and one `osarch run` under valgrind: zero errors and
# no definitely lost bytes, or a non-zero exit.
build="$1"; shift
bad=0
for t in "$@"; do
	if ! valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite "$t" >/dev/null 2>"$t.vg"; then
		echo "valgrind: $(basename "$t") failed, see $t.vg"; bad=1
	fi
done
tmp=$(mktemp -d)
if ! valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
	"$build/osarch" run configs/default.yaml -o "$tmp" --quiet >/dev/null 2>"$tmp/vg"; then
	echo "valgrind: osarch run failed:"; cat "$tmp/vg"; bad=1
fi
rm -rf "$tmp"
[ $bad -eq 0 ] && echo "valgrind: clean"
exit $bad
