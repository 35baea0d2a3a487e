#!/bin/sh
# Renders every figure script plots/NAME.gp into plots/NAME.png and
# plots/NAME.svg. Run from anywhere; `make plots` and `make run` call it.
#
# A figure script names its input on a line "# input: PATH" (relative to the
# repository root). Scripts without that line (palette.gp, common.gp, key.gp)
# are libraries and are not rendered.
#
# For each input CSV (comma separated, header row with at least the columns
# arch and workload, optionally machine) this script writes, into a temporary
# directory that gnuplot gets as the variable `data`:
#   meta.gp       archs, workloads (space-separated, in CSV order), config,
#                 machine, mhz, machine_desc, and max_COL / minpos_COL for
#                 every numeric column COL
#   col_COL.dat   one row per workload, one column per architecture (NaN when
#                 a pair is missing): the value of COL
#   wl_J.dat      one row per architecture for the J-th workload (1-based),
#                 all numeric columns, first line a header of column names
# Only the first machine in the CSV is kept (a warning names the others).
# Machine clock and description come from config.resolved.yaml next to the CSV
# when it exists.
#
# gnuplot is called as
#   gnuplot -e "term='png'; out='FILE'; data='DIR'" plots/NAME.gp
# and plots/common.gp turns term/out into the one terminal setting.
#
# Exit status: 0 when gnuplot is missing (message on stderr) or every figure
# with an input was rendered or skipped (input missing or without data rows,
# or the figure script declined, e.g. no `read` workload); 1 when gnuplot
# failed on a present input or an input could not be read (no arch/workload
# column).

cd "$(dirname "$0")/.." || exit 1

if ! command -v gnuplot >/dev/null 2>&1; then
	echo "plots: gnuplot not found, no figures made (Debian: apt-get install gnuplot-nox)" >&2
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/osarch-plots.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# gq STRING: STRING with ' doubled, for a single-quoted gnuplot string.
gq() { printf '%s' "$1" | sed "s/'/''/g"; }

# prepare CSV DIR: writes meta.gp, col_*.dat and wl_*.dat for CSV into DIR.
# Status 0, 2 when the CSV has no data rows, 1 when it cannot be read.
prepare() {
	csv=$1; dir=$2
	mkdir -p "$dir" || return 1
	yaml=$(dirname "$csv")/config.resolved.yaml
	[ -f "$yaml" ] || yaml=/dev/null
	config=$(basename "$(dirname "$csv")")
	awk -v dir="$dir" -v config="$config" -v csvname="$csv" -v yf="$yaml" -v q="'" '
	function trim(s) { gsub(/^[ \t"]+|[ \t"\r]+$/, "", s); return s }
	function word(s) { s = trim(s); gsub(/[ \t]+/, "_", s); return s }
	function gstr(s) { gsub(q, q q, s); return q s q }
	function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }

	# config.resolved.yaml (first file): clock and description per machine.
	FILENAME == yf {
		if ($0 ~ /^machines_resolved:/) { inm = 1; next }
		if (inm && $0 ~ /^[^ #]/) inm = 0
		if (!inm) next
		if ($0 ~ /^  [^ #][^:]*:[ \t]*$/) { m = $0; sub(/^  /, "", m); sub(/:.*/, "", m); next }
		if ($0 ~ /^    mhz:/) { v = $0; sub(/^    mhz:[ \t]*/, "", v); mhz[m] = trim(v) }
		if ($0 ~ /^    description:/) {
			v = $0; sub(/^    description:[ \t]*/, "", v); v = trim(v)
			sub(/:.*/, "", v)               # the part before the first colon
			desc[m] = v
		}
		next
	}

	# results.csv (second file).
	FNR == 1 {
		FS = ","; $0 = $0
		for (i = 1; i <= NF; i++) {
			h[i] = trim($i)
			if (h[i] == "arch") ca = i
			else if (h[i] == "workload") cw = i
			else if (h[i] == "machine") cm = i
		}
		nf = NF
		if (!ca || !cw) {
			print "plots: " csvname ": header has no arch or workload column" > "/dev/stderr"
			bad = 1; exit 1
		}
		nc = 0
		for (i = 1; i <= nf; i++)
			if (i != ca && i != cw && i != cm) { nc++; col[nc] = i; cname[nc] = h[i]
				vname[nc] = h[i]; gsub(/[^A-Za-z0-9_]/, "_", vname[nc]) }
		next
	}
	/^[ \t\r]*$/ { next }
	{
		m = cm ? trim($cm) : ""
		if (nrow == 0) mach = m
		if (m != mach) { if (!(m in other)) { other[m] = 1; others = others " " m }; next }
		nrow++
		a = word($ca); w = word($cw)
		if (!(a in ai)) { na++; an[na] = a; ai[a] = na }
		if (!(w in wi)) { nw++; wn[nw] = w; wi[w] = nw }
		for (k = 1; k <= nc; k++) {
			v = trim($(col[k]))
			if (!isnum(v)) { val[ai[a], wi[w], k] = "NaN"; continue }
			v += 0
			val[ai[a], wi[w], k] = v
			if (!(k in mx) || v > mx[k]) mx[k] = v
			if (v > 0 && (!(k in mnp) || v < mnp[k])) mnp[k] = v
		}
	}
	END {
		if (bad) exit 1
		if (nrow == 0) exit 2
		if (others != "")
			print "plots: " csvname ": figures show machine " mach " only; also in the CSV:" others > "/dev/stderr"
		meta = dir "/meta.gp"
		s = ""; for (i = 1; i <= na; i++) s = s (i > 1 ? " " : "") an[i]
		print "archs = " gstr(s) > meta
		s = ""; for (j = 1; j <= nw; j++) s = s (j > 1 ? " " : "") wn[j]
		print "workloads = " gstr(s) > meta
		print "config = " gstr(config) > meta
		print "machine = " gstr(mach) > meta
		print "mhz = " ((mach in mhz) && isnum(mhz[mach]) ? mhz[mach] + 0 : 0) > meta
		print "machine_desc = " gstr(mach in desc ? desc[mach] : "") > meta
		for (k = 1; k <= nc; k++) {
			print "max_" vname[k] " = " ((k in mx) ? mx[k] : 0) > meta
			print "minpos_" vname[k] " = " ((k in mnp) ? mnp[k] : 0) > meta
		}
		for (k = 1; k <= nc; k++) {
			f = dir "/col_" vname[k] ".dat"
			s = "# " cname[k] ": workload"; for (i = 1; i <= na; i++) s = s " " an[i]
			print s > f
			for (j = 1; j <= nw; j++) {
				s = wn[j]
				for (i = 1; i <= na; i++)
					s = s " " (((i, j, k) in val) ? val[i, j, k] : "NaN")
				print s > f
			}
			close(f)
		}
		for (j = 1; j <= nw; j++) {
			f = dir "/wl_" j ".dat"
			s = "arch"; for (k = 1; k <= nc; k++) s = s " " vname[k]
			print s > f
			for (i = 1; i <= na; i++) {
				s = an[i]
				for (k = 1; k <= nc; k++)
					s = s " " (((i, j, k) in val) ? val[i, j, k] : "NaN")
				print s > f
			}
			close(f)
		}
		close(meta)
	}' "$yaml" "$csv"
}

status=0
n=0
for gp in plots/*.gp; do
	[ -f "$gp" ] || continue
	input=$(sed -n 's/^#[[:space:]]*input:[[:space:]]*//p' "$gp" | head -n 1 | sed 's/[[:space:]]*$//')
	[ -n "$input" ] || continue
	name=$(basename "$gp" .gp)
	if [ ! -f "$input" ]; then
		echo "plots: skipping $name: $input not found" >&2
		continue
	fi
	data=$tmp/$(printf '%s' "$input" | tr -c 'A-Za-z0-9._-' '_')
	if [ ! -f "$data.rc" ]; then
		prepare "$input" "$data"
		echo $? > "$data.rc"
	fi
	case $(cat "$data.rc") in
	0) ;;
	2) echo "plots: skipping $name: $input has no data rows" >&2; continue ;;
	*) echo "plots: $name: cannot read $input" >&2; status=1; continue ;;
	esac
	for fmt in png svg; do
		out=plots/$name.$fmt
		work=$tmp/$name.$fmt
		if ! gnuplot -e "term='$fmt'; out='$(gq "$work")'; data='$(gq "$data")'" "$gp"; then
			echo "plots: gnuplot failed on $gp ($fmt)" >&2
			status=1
			continue
		fi
		if [ -s "$work" ]; then
			mv -f "$work" "$out" && echo "plots: wrote $out" && n=$((n + 1))
		else
			echo "plots: $name: no $fmt figure (see the message above)" >&2
		fi
	done
done
[ $status -eq 0 ] && [ $n -eq 0 ] && echo "plots: no figure made" >&2
exit $status
