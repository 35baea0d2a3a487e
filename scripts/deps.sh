#!/bin/sh
# Checks that the Debian packages osarch builds with are installed.
# As root on Debian/Ubuntu it installs the missing ones; otherwise it prints
# the exact apt-get line and fails.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
		echo "deps: '$line' failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing packages:$missing" >&2
echo "deps: run as root: $line" >&2
exit 1
