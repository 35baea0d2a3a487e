#!/bin/sh
# Runs every experiment of configs/ for `make report`: each file with a
# top-level `archs:` key (so not configs/validation.yaml, and not the machine
# profiles in configs/machines/), into results/<name>/. A failed run stops
# the report: a report from stale results would be wrong without saying so.
# Usage: scripts/report.sh [BUILD]   (BUILD defaults to build)
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
n=0
for cfg in configs/*.yaml; do
	grep -q '^archs:' "$cfg" || continue
	if ! "$build/osarch" run "$cfg" --quiet >/dev/null; then
		echo "report: osarch run $cfg failed" >&2
		exit 1
	fi
	echo "report: ran $cfg"
	n=$((n + 1))
done
[ $n -gt 0 ] || { echo "report: no experiment in configs/" >&2; exit 1; }
