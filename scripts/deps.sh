#!/bin/sh
# Checks that the Debian packages osarch builds with are installed:
#   deps.sh REQUIRED... [-- OPTIONAL...]
# As root on Debian/Ubuntu it installs every missing one. Otherwise a
# missing required package prints the exact apt-get line and fails; a
# missing optional one (SimGrid, PAPI: `osarch scale`, `osarch calibrate`)
# is only reported, and the Makefile builds without it.
missing=""; missing_opt=""; opt=0
for p in "$@"; do
	[ "$p" = "--" ] && { opt=1; continue; }
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		if [ $opt = 1 ]; then missing_opt="$missing_opt $p"; else missing="$missing $p"; fi
	fi
done
[ -z "$missing$missing_opt" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	all="$missing$missing_opt"
	echo "deps: installing$all" >&2
	export DEBIAN_FRONTEND=noninteractive
	if apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $all >/dev/null; then
		exit 0
	fi
	# The optional packages may be what failed: try the required ones alone.
	[ -n "$missing" ] && ! apt-get install -y -qq --no-install-recommends $missing >/dev/null && {
		echo "deps: 'apt-get install -y --no-install-recommends$missing' failed" >&2; exit 1; }
	echo "deps: could not install$missing_opt: building without them" >&2
	exit 0
fi
if [ -n "$missing_opt" ]; then
	echo "deps: optional packages missing:$missing_opt (osarch scale needs libsimgrid-dev, osarch calibrate libpapi-dev);" >&2
	echo "deps: building without them; to have them, as root: apt-get install -y --no-install-recommends$missing_opt" >&2
fi
if [ -n "$missing" ]; then
	if ! command -v dpkg-query >/dev/null 2>&1; then
		# Not Debian: trust pkg-config for the libraries (README: Fedora).
		for m in yaml-0.1 jansson cmocka; do
			pkg-config --exists $m 2>/dev/null || { echo "deps: missing the $m library (see README: Fedora)" >&2; exit 1; }
		done
		exit 0
	fi
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root: apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
exit 0
