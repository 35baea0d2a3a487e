#!/bin/sh
# Runs every experiment of configs/ for `make report`: each file with a
# top-level `archs:` key (so not configs/validation.yaml, and not the machine
# profiles in configs/machines/), into results/<name>/. A failed run stops
# the report: a report from stale results would be wrong without saying so.
# Usage: scripts/report.sh [BUILD]   (BUILD defaults to build)
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
n=0
# The kind of a file decides its command: a SimGrid scenario has a top-level
# `scenario:` and `archs:`, the extension-faults file `extensions:`, and any
# other file with `archs:` is an experiment for `osarch run`.
for cfg in configs/*.yaml; do
	if grep -q '^extensions:' "$cfg"; then
		cmd=faults
	elif grep -q '^archs:' "$cfg" && grep -q '^scenario:' "$cfg"; then
		cmd=scale
	elif grep -q '^archs:' "$cfg"; then
		cmd=run
	else
		continue
	fi
	if [ $cmd = run ]; then
		"$build/osarch" run "$cfg" --quiet >/dev/null
	else
		"$build/osarch" $cmd "$cfg" >/dev/null
	fi || { echo "report: osarch $cmd $cfg failed" >&2; exit 1; }
	echo "report: osarch $cmd $cfg"
	n=$((n + 1))
done
[ $n -gt 0 ] || { echo "report: no experiment in configs/" >&2; exit 1; }
