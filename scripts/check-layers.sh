#!/bin/sh
# check-layers.sh: the layout's rules (docs/architecture.md), checked on the
# sources and on the objects' symbols; `make check-layers` (and `make test`).
#
#   sh scripts/check-layers.sh [BUILD]      BUILD: the folder of obj/ (build)
#
# The layers, lowest first: base (src/base, include/base), model (models/,
# arch/, workloads/, include/model), core (src/core, include/core), cmd
# (src/cmd, include/cmd), main (src/main*.c). A violation is:
#   - a source file in no layer, or two files of the same name;
#   - a file over 1,500 lines, or one whose first line is not "// NAME: its job"
#     (tests/, fuzz/ and bench/ too, which are in no layer and may use any);
#   - an #include "x.h" of a header of a higher layer;
#   - a symbol (nm) used by a file and defined by a file of a higher layer;
#   - a loop between files (tsort on "uses a symbol of"; a command's folder
#     is one node);
#   - a command that includes another command's header or uses its symbols
#     (a command is src/cmd/NAME.c or src/cmd/NAME/; its headers
#     include/cmd/NAME.h and NAMEshared.h; include/cmd/commands.h, the entry
#     points, is every command's).
# First it proves itself: a small tree with one violation of each kind must
# fail with each reported. Prints one line "check-layers: ok: ..." and exits
# 0, or lists the violations and exits 1.
set -u
BUILD=${1:-build}
MAX_LINES=1500
CC=${CC:-cc}

# layer_of PATH (relative to the tree): 1 base .. 5 main, 0 none.
layer_of() {
	case $1 in
	src/base/*.[ch] | include/base/*.h) echo 1 ;;
	models/*.[ch] | arch/*.[ch] | workloads/*.[ch] | include/model/*.h) echo 2 ;;
	src/core/*.[ch] | include/core/*.h) echo 3 ;;
	src/cmd/*.[ch] | include/cmd/*.h) echo 4 ;;
	src/main.c | src/main_*.c) echo 5 ;;
	*) echo 0 ;;
	esac
}

# unit_of PATH: the command a cmd-layer file belongs to ("*": every one's).
unit_of() {
	case $1 in
	include/cmd/commands.h) echo '*' ;;
	include/cmd/*shared.h) f=${1#include/cmd/}; echo "${f%shared.h}" ;;
	include/cmd/*.h) f=${1#include/cmd/}; echo "${f%.h}" ;;
	src/cmd/*/*) f=${1#src/cmd/}; echo "${f%%/*}" ;;
	src/cmd/*.c) f=${1#src/cmd/}; echo "${f%.c}" ;;
	*) echo - ;;
	esac
}

# check TREE OBJDIR OUT: writes every violation to OUT (one a line) and a
# summary to OUT.sum; TREE's sources, OBJDIR's objects (OBJDIR/PATH.o for
# TREE/PATH.c; a source without its object is read for includes only).
check() {
	tree=$1 objdir=$2 out=$3
	: >"$out"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-layers.XXXXXX") || exit 2
	(cd "$tree" && find src include models arch workloads -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null |
		LC_ALL=C sort) >"$tmp/files"
	: >"$tmp/layers"
	while read -r f; do
		l=$(layer_of "$f")
		echo "$f $l $(unit_of "$f")" >>"$tmp/layers"
		[ "$l" = 0 ] && echo "no layer: $f (put it in src/base, models, src/core, src/cmd or src/main*.c)" >>"$out"
		n=$(wc -l <"$tree/$f")
		echo "$n $f" >>"$tmp/sizes"
		[ "$n" -gt $MAX_LINES ] && echo "too long: $f has $n lines (at most $MAX_LINES)" >>"$out"
		b=${f##*/}
		head -n 1 "$tree/$f" | grep -q "^// $b: [^ ]" ||
			echo "no opener: $f does not begin \"// $b: its one job\"" >>"$out"
		echo "$b $f" >>"$tmp/names"
	done <"$tmp/files"
	# Tests, fuzz harnesses and benchmarks are in no layer (they may use any),
	# but they too are small files that say their job.
	(cd "$tree" && find tests fuzz bench -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null |
		LC_ALL=C sort) | while read -r f; do
		n=$(wc -l <"$tree/$f")
		echo "$n $f" >>"$tmp/sizes"
		[ "$n" -gt $MAX_LINES ] && echo "too long: $f has $n lines (at most $MAX_LINES)" >>"$out"
		b=${f##*/}
		head -n 1 "$tree/$f" | grep -q "^// $b: [^ ]" ||
			echo "no opener: $f does not begin \"// $b: its one job\"" >>"$out"
	done
	LC_ALL=C sort "$tmp/names" | awk '$1 == p { print "same name: " pf " and " $2 } { p = $1; pf = $2 }' >>"$out"
	# Includes: FILE HEADER-PATH for each #include "x.h" found in a layer's folder.
	while read -r f; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$tree/$f" | while read -r h; do
			for d in include/base include/model include/core include/cmd; do
				[ -f "$tree/$d/$h" ] && { echo "$f $d/$h"; break; }
			done
		done
	done <"$tmp/files" >"$tmp/includes"
	awk 'NR == FNR { layer[$1] = $2; unit[$1] = $3; next }
	     { lf = layer[$1]; lh = layer[$2]
	       if (lh > lf && lf > 0) print "upward include: " $1 " (layer " lf ") includes " $2 " (layer " lh ")"
	       else if (lf == 4 && lh == 4 && unit[$2] != "*" && unit[$1] != unit[$2])
	         print "command uses another: " $1 " includes " $2 }' "$tmp/layers" "$tmp/includes" >>"$out"
	# Symbols: FILE DEF|USE SYMBOL for every object there is.
	: >"$tmp/syms"
	while read -r f; do
		case $f in *.c) ;; *) continue ;; esac
		o=$objdir/${f%.c}.o
		[ -f "$o" ] || continue
		nm -g --defined-only "$o" | awk -v f="$f" 'NF >= 3 { print f, "D", $3 }' >>"$tmp/syms"
		nm -u "$o" | awk -v f="$f" '{ print f, "U", $NF }' >>"$tmp/syms"
		echo "$f" >>"$tmp/objs"
	done <"$tmp/files"
	awk -v edges="$tmp/edges" -v nrefs="$tmp/nrefs" 'NR == FNR { layer[$1] = $2; unit[$1] = $3; next }
	     $2 == "D" { def[$3] = $1; next }
	     { use[++n] = $1; sym[n] = $3 }
	     END { for (i = 1; i <= n; i++) { s = sym[i]; u = use[i]; if (!(s in def) || def[s] == u) continue
	             d = def[s]; refs++
	             if (layer[d] > layer[u]) print "upward symbol: " u " (layer " layer[u] ") uses " s " of " d " (layer " layer[d] ")"
	             else if (layer[u] == 4 && layer[d] == 4 && unit[u] != unit[d])
	               print "command uses another: " u " uses " s " of " d
	             nu = layer[u] == 4 ? "cmd/" unit[u] : u; nd = layer[d] == 4 ? "cmd/" unit[d] : d
	             if (nu != nd) print nu, nd > edges }
	           print refs + 0 > nrefs; printf "" > edges }' "$tmp/layers" "$tmp/syms" >>"$out"
	sort -u "$tmp/edges" >"$tmp/edges.u"
	if ! tsort "$tmp/edges.u" >/dev/null 2>"$tmp/tsort"; then
		sed -n 's/^tsort: /loop: /p' "$tmp/tsort" | grep -v 'input contains a loop' >>"$out"
		grep -q . "$out" || echo "loop: $(cat "$tmp/tsort")" >>"$out"
		grep -q '^loop' "$out" || echo "loop: between files (tsort: $(head -n 1 "$tmp/tsort"))" >>"$out"
	fi
	awk '{ c[$2]++ } END { printf "%d files in 5 layers (base %d, model %d, core %d, cmd %d, main %d)", NR, c[1], c[2], c[3], c[4], c[5] }' \
		"$tmp/layers" >"$out.sum"
	printf ', %s symbol references between files in %d objects' "$(cat "$tmp/nrefs")" "$(wc -l <"$tmp/objs" 2>/dev/null || echo 0)" >>"$out.sum"
	sort -n "$tmp/sizes" | tail -n 1 | awk '{ printf ", largest file %s %d lines", $2, $1 }' >>"$out.sum"
	rm -rf "$tmp"
}

# ---- the self-test: one planted violation of each kind ----
self=$(mktemp -d "${TMPDIR:-/tmp}/check-layers-self.XXXXXX") || exit 2
trap 'rm -rf "$self"' EXIT
t=$self/tree
mkdir -p "$t/src/base" "$t/src/core" "$t/src/cmd/b" "$t/include/base" "$t/include/cmd" "$t/models" "$t/obj/src/base" \
	"$t/obj/src/core" "$t/obj/src/cmd/b" "$t/obj/models"
printf '// a.h: a command.\nint cmd_a(void);\n' >"$t/include/cmd/a.h"
printf '// low.c: base including a command and calling it.\n#include "a.h"\nint low(void) { return cmd_a(); }\n' >"$t/src/base/low.c"
printf '// a.c: command a, using command b.\nint cmd_b(void);\nint cmd_a(void) { return cmd_b(); }\n' >"$t/src/cmd/a.c"
printf '// b.c: command b.\nint cmd_b(void) { return 1; }\n' >"$t/src/cmd/b/b.c"
printf '// p.c: one half of a loop.\nint q(void);\nint p(void) { return q(); }\n' >"$t/src/core/p.c"
printf '// q.c: the other half.\nint p(void);\nint q(void) { return p(); }\n' >"$t/src/core/q.c"
printf 'int nocomment(void) { return 0; }\n' >"$t/models/m.c"
printf '// stray.c: in no layer.\n' >"$t/src/stray.c"
printf '// p.c: a second p.c.\n' >"$t/models/p.c"
{ echo '// long.c: too long.'; i=0; while [ $i -lt $MAX_LINES ]; do echo '//'; i=$((i + 1)); done; } >"$t/src/base/long.c"
for f in src/base/low.c src/cmd/a.c src/cmd/b/b.c src/core/p.c src/core/q.c models/m.c; do
	$CC -c -I"$t/include/cmd" "$t/$f" -o "$t/obj/${f%.c}.o" 2>>"$self/cc.log" || { cat "$self/cc.log"; echo "check-layers: self-test: cannot compile $f" >&2; exit 2; }
done
check "$t" "$t/obj" "$self/found"
[ -n "${CHECK_LAYERS_DEBUG:-}" ] && cat "$self/found" >&2
missed=
for kind in "no layer: src/stray.c" "too long: src/base/long.c" "no opener: models/m.c" "same name: " \
	"upward include: src/base/low.c" "upward symbol: src/base/low.c" "command uses another: src/cmd/a.c" "loop"; do
	grep -q "^$kind" "$self/found" || missed="$missed
  $kind"
done
if [ -n "$missed" ]; then
	echo "check-layers: self-test failed: the planted violations below were not found:$missed" >&2
	echo "found:" >&2
	cat "$self/found" >&2
	exit 1
fi

# ---- the project ----
[ -d "$BUILD/obj" ] || { echo "check-layers: no $BUILD/obj (run make first)" >&2; exit 2; }
check . "$BUILD/obj" "$self/project"
if [ -s "$self/project" ]; then
	cat "$self/project" >&2
	echo "check-layers: $(wc -l <"$self/project") violation(s); the layers: docs/architecture.md" >&2
	exit 1
fi
echo "check-layers: ok: $(cat "$self/project.sum"); self-test found $(wc -l <"$self/found") planted violations"
