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
#                 (COL also tlb_misses = itlb_misses + dtlb_misses, a derived
#                 column, when the CSV has both and no tlb_misses of its own)
#   rel_COL.dat   as col_COL.dat, each value divided by the first
#                 architecture's value for the same workload (NaN when that is
#                 0 or missing): the ratio to a reference architecture
# and, for the parameters an experiment sweeps (the CSV columns between
# footprint_d_lines and io_wait_usec):
#   meta.gp       also sweeps (the swept parameters, space-separated, in CSV
#                 order), nS (their number), nP (the number of distinct sweep
#                 points), sweep_labels_K (the K-th parameter's distinct values
#                 as written in the CSV, e.g. '1K 2K 4K'), and prof_KEY /
#                 prof_GROUP_KEY for every numeric (or true/false) value of the
#                 machine profile as resolved for the run (e.g. prof_l1d_size,
#                 prof_stlb_present, prof_mhz), as resolved before the sweep
#   sw_COL_J.dat  one row per sweep point (in CSV order) for the J-th workload:
#                 the nS swept values as numbers (sizes in bytes, K/M/G being
#                 powers of 1024; true/false as 1/0), then one column per
#                 architecture (NaN when missing): the value of COL. Without
#                 a sweep there are no sw_ files and nS = nP = 0.
# With a sweep, col_COL.dat and wl_J.dat hold the last sweep point of each
# (architecture, workload) pair, unless the figure selects one (below).
#
# A figure script may also have a line "# select: PARAM=VALUE[,PARAM=VALUE]":
# only the CSV rows whose column PARAM reads VALUE (as written in the CSV,
# e.g. "# select: l1i.size+l1d.size=8K") go into its prepared data.
# Only the first machine in the CSV is kept (a warning names the others).
# Machine clock, description and profile values come from
# machines.resolved.yaml next to the CSV (or, from older runs, the
# machines_resolved: section of config.resolved.yaml) when it exists.
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

# prepare CSV DIR [SELECT]: writes meta.gp, col_*.dat, rel_*.dat, wl_*.dat
# and sw_*.dat for CSV into DIR, from the rows that match SELECT
# ("PARAM=VALUE,..."; all rows when empty).
# Status 0, 2 when the CSV has no (selected) data rows, 1 when it cannot be read.
prepare() {
	csv=$1; dir=$2; selection=${3:-}
	mkdir -p "$dir" || return 1
	mr=1
	yaml=$(dirname "$csv")/machines.resolved.yaml
	[ -f "$yaml" ] || { mr=0; yaml=$(dirname "$csv")/config.resolved.yaml; }
	[ -f "$yaml" ] || yaml=/dev/null
	config=$(basename "$(dirname "$csv")")
	awk -v dir="$dir" -v config="$config" -v csvname="$csv" -v yf="$yaml" -v mr="$mr" -v q="'" -v sel="$selection" '
	function trim(s) { gsub(/^[ \t"]+|[ \t"\r]+$/, "", s); return s }
	# A quoted CSV field may hold commas (an architecture with two options,
	# "vm-hw:monitor=hosted,shadow=rebuild"): they become \035 for the split
	# and commas again in the name.
	function dequote(l,   i, c, out, inq) {
		out = ""; inq = 0
		for (i = 1; i <= length(l); i++) {
			c = substr(l, i, 1)
			if (c == "\"") inq = !inq
			else if (c == "," && inq) c = "\035"
			out = out c
		}
		return out
	}
	function word(s) { s = trim(s); gsub(/[ \t]+/, "_", s); return s }
	function gstr(s) { gsub(q, q q, s); return q s q }
	function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
	function gname(s) { gsub(/[^A-Za-z0-9_]/, "_", s); return s }
	# A swept value as a number: sizes with K/M/G (powers of 1024), true/false.
	function num(s,   m) {
		s = trim(s)
		if (isnum(s)) return s + 0
		if (s ~ /^([0-9]+\.?[0-9]*|\.[0-9]+)[KkMmGg]$/) {
			m = toupper(substr(s, length(s)))
			return substr(s, 1, length(s) - 1) * (m == "K" ? 1024 : m == "M" ? 1048576 : 1073741824)
		}
		if (s == "true") return 1
		if (s == "false") return 0
		return "NaN"
	}

	# The resolved machine profiles (first file): clock, description and
	# profile values per machine. machines.resolved.yaml has one top-level
	# key per machine (mr = 1); an older config.resolved.yaml has them under
	# machines_resolved:, two spaces further in.
	FILENAME == yf {
		line = $0
		if (!mr) {
			if (line ~ /^machines_resolved:/) { inm = 1; next }
			if (inm && line ~ /^[^ #]/) inm = 0
			if (!inm) next
			sub(/^  /, "", line)
		}
		if (line ~ /^[ \t]*(#|$)/) next
		if (line ~ /^[^ #][^:]*:[ \t]*$/) { m = line; sub(/:.*/, "", m); g = ""; next }
		if (line ~ /^  mhz:/) { v = line; sub(/^  mhz:[ \t]*/, "", v); mhz[m] = trim(v) }
		if (line ~ /^  description:/) {
			v = line; sub(/^  description:[ \t]*/, "", v); v = trim(v)
			sub(/:.*/, "", v)               # the part before the first colon
			desc[m] = v
		}
		# Numeric profile values: "  key: v", "  group:" + "    key: v".
		if (line ~ /^  [A-Za-z0-9_]+:[ \t]*$/) { g = line; sub(/^  /, "", g); sub(/:.*/, "", g); next }
		if (line ~ /^  [A-Za-z0-9_]+:[ \t]*[^ \t]/) { g = ""; k = line; sub(/^  /, "", k) }
		else if (line ~ /^    [A-Za-z0-9_]+:[ \t]*[^ \t]/ && g != "") { k = line; sub(/^    /, "", k); k = g "_" k }
		else next
		v = k; sub(/^[^:]*:[ \t]*/, "", v); sub(/:.*/, "", k); v = trim(v)
		if (v == "true") v = 1; else if (v == "false") v = 0
		if (isnum(v)) { if (!((m, gname(k)) in prof)) { nprof[m]++; profk[m, nprof[m]] = gname(k) }; prof[m, gname(k)] = v + 0 }
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
				vname[nc] = h[i]; gsub(/[^A-Za-z0-9_]/, "_", vname[nc])
				if (h[i] == "itlb_misses") citlb = i; else if (h[i] == "dtlb_misses") cdtlb = i
				else if (h[i] == "tlb_misses") ctlb = i }
		# A derived column: tlb_misses = itlb_misses + dtlb_misses.
		if (citlb && cdtlb && !ctlb) { nc++; col[nc] = 0; cname[nc] = vname[nc] = "tlb_misses" }
		# Swept parameters: the columns between footprint_d_lines and io_wait_usec.
		ns = 0; insw = 0
		for (i = 1; i <= nf; i++) {
			if (h[i] == "io_wait_usec") break
			if (insw) { ns++; scol[ns] = i; sname[ns] = h[i] }
			if (h[i] == "footprint_d_lines") insw = 1
		}
		if (!insw) ns = 0
		# The selection: PARAM=VALUE pairs, separated by commas.
		nsel = sel == "" ? 0 : split(sel, sp, ",")
		for (t = 1; t <= nsel; t++) {
			e = index(sp[t], "=")
			sk = trim(substr(sp[t], 1, e - 1)); selv[t] = trim(substr(sp[t], e + 1)); selc[t] = 0
			for (i = 1; i <= nf; i++) if (h[i] == sk) selc[t] = i
			if (e == 0 || !selc[t]) {
				print "plots: " csvname ": cannot select \"" sp[t] "\": no such column" > "/dev/stderr"
				bad = 1; exit 1
			}
		}
		next
	}
	/^[ \t\r]*$/ { next }
	{
		if (index($0, "\"")) $0 = dequote($0)
		for (t = 1; t <= nsel; t++) if (trim($(selc[t])) != selv[t]) next
		m = cm ? trim($cm) : ""
		if (nrow == 0) mach = m
		if (m != mach) { if (!(m in other)) { other[m] = 1; others = others " " m }; next }
		nrow++
		a = word($ca); w = word($cw); gsub(/\035/, ",", a)
		if (!(a in ai)) { na++; an[na] = a; ai[a] = na }
		if (!(w in wi)) { nw++; wn[nw] = w; wi[w] = nw }
		p = ""
		for (t = 1; t <= ns; t++) {
			v = trim($(scol[t])); p = p (t > 1 ? SUBSEP : "") v
			if (!((t, v) in sseen)) { sseen[t, v] = 1; slab[t] = slab[t] (slab[t] == "" ? "" : " ") v }
		}
		if (ns && !(p in pti)) { np++; pti[p] = np; split(p, pv, SUBSEP); for (t = 1; t <= ns; t++) pnum[np, t] = num(pv[t]) }
		for (k = 1; k <= nc; k++) {
			if (col[k]) v = trim($(col[k]))
			else v = isnum(trim($citlb)) && isnum(trim($cdtlb)) ? trim($citlb) + trim($cdtlb) : "NaN"
			if (!isnum(v)) { val[ai[a], wi[w], k] = "NaN"; if (ns) sval[pti[p], ai[a], wi[w], k] = "NaN"; continue }
			v += 0
			val[ai[a], wi[w], k] = v
			if (ns) sval[pti[p], ai[a], wi[w], k] = v
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
		print "nS = " ns > meta
		print "nP = " (np + 0) > meta
		s = ""; for (t = 1; t <= ns; t++) s = s (t > 1 ? " " : "") sname[t]
		print "sweeps = " gstr(s) > meta
		for (t = 1; t <= ns; t++) print "sweep_labels_" t " = " gstr(slab[t]) > meta
		for (t = 1; t <= nprof[mach]; t++) print "prof_" profk[mach, t] " = " prof[mach, profk[mach, t]] > meta
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
			f = dir "/rel_" vname[k] ".dat"
			s = "# " cname[k] " relative to " an[1] ": workload"; for (i = 1; i <= na; i++) s = s " " an[i]
			print s > f
			for (j = 1; j <= nw; j++) {
				s = wn[j]
				r = ((1, j, k) in val) ? val[1, j, k] : "NaN"
				for (i = 1; i <= na; i++)
					s = s " " ((r != "NaN" && r != 0 && ((i, j, k) in val) && val[i, j, k] != "NaN") ? val[i, j, k] / r : "NaN")
				print s > f
			}
			close(f)
			for (j = 1; ns && j <= nw; j++) {
				f = dir "/sw_" vname[k] "_" j ".dat"
				s = "# " cname[k] " of " wn[j] ":"; for (t = 1; t <= ns; t++) s = s " " sname[t]
				for (i = 1; i <= na; i++) s = s " " an[i]
				print s > f
				for (pp = 1; pp <= np; pp++) {
					s = ""
					for (t = 1; t <= ns; t++) s = s (t > 1 ? " " : "") pnum[pp, t]
					for (i = 1; i <= na; i++)
						s = s " " (((pp, i, j, k) in sval) ? sval[pp, i, j, k] : "NaN")
					print s > f
				}
				close(f)
			}
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
	selection=$(sed -n 's/^#[[:space:]]*select:[[:space:]]*//p' "$gp" | head -n 1 | sed 's/[[:space:]]*$//')
	name=$(basename "$gp" .gp)
	if [ ! -f "$input" ]; then
		echo "plots: skipping $name: $input not found" >&2
		continue
	fi
	data=$tmp/$(printf '%s|%s' "$input" "$selection" | tr -c 'A-Za-z0-9._-' '_')
	if [ ! -f "$data.rc" ]; then
		prepare "$input" "$data" "$selection"
		echo $? > "$data.rc"
	fi
	case $(cat "$data.rc") in
	0) ;;
	2) echo "plots: skipping $name: $input has no data rows${selection:+ with $selection}" >&2; continue ;;
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
