#!/bin/sh
# wasm.sh: osarch for WebAssembly (issue 22), `make wasm` runs it.
#
#   sh scripts/wasm.sh [OUTDIR]        (default: report, beside the explorer page)
#
# Builds, with Debian's emscripten (3.1.x; the emcc of PATH or $EMCC):
#   - libyaml and jansson from Debian's source packages (`apt-get source
#     libyaml jansson`, unpacked in build-wasm/src/; never a copy in this
#     repository). When the configured archive has no deb-src entry, one is
#     added beside it (as root), from the same URIs and suites;
#   - the osarch command line itself (src/main.c and the core: every source
#     `make` puts in libosarch.a; not scale.c nor calibrate.c, which need
#     SimGrid and PAPI), unchanged;
# into OUTDIR/osarch-wasm.js: one file, emscripten's factory OsarchWasm({...})
# (MODULARIZE) with the .wasm inlined as base64 (a page opened from file://
# may not fetch() a .wasm beside it); and
# copies scripts/osarch-run.js (the small wrapper the page and the Node test
# call: files in, argv in, exit status and output out) beside it.
# As root it installs emscripten and dpkg-dev when missing.
#
# Exit status: 0 built; 1 a step failed (its message says which).
cd "$(dirname "$0")/.." || exit 1
OUTDIR=${1:-report}
W=${WASM_BUILD:-build-wasm}
EMCC=${EMCC:-emcc}
EMAR=${EMAR:-emar}
die() { echo "wasm: $*" >&2; exit 1; }
root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
export DEBIAN_FRONTEND=noninteractive
# emcc's JavaScript passes require() Debian's node-acorn and friends from
# /usr/share/nodejs, which Debian's node searches and a node from elsewhere
# (NodeSource) does not.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"

# ---- the tools: emscripten, dpkg-source (dpkg-dev) ----
need=""
command -v "$EMCC" >/dev/null 2>&1 || need="$need emscripten"
command -v dpkg-source >/dev/null 2>&1 || need="$need dpkg-dev"
if [ -n "$need" ]; then
	root || die "missing$need; as root: apt-get install -y --no-install-recommends$need"
	echo "wasm: installing$need" >&2
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $need; } >/dev/null ||
		die "apt-get install$need failed"
fi

# ---- the sources of libyaml and jansson, from Debian ----
# A deb-src entry for every deb entry of the configured archive (deb822
# .sources files and one-line sources.list alike), when none exists.
have_debsrc() {
	grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
		grep -qsE '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources
}
add_debsrc() {
	root || die "no deb-src entry in /etc/apt; as root add one (the deb lines with deb-src) and run apt-get update"
	out=/etc/apt/sources.list.d/osarch-deb-src.sources
	: >"$out.tmp"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# Each stanza of type deb, again as deb-src (same URIs, suites, keys).
		awk 'BEGIN { RS = ""; ORS = "\n\n" } /(^|\n)Types:[^\n]*deb([^-]|$)/ && !/Enabled: *no/ {
			sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$out.tmp"
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/osarch-deb-src.list
		[ -s /etc/apt/sources.list.d/osarch-deb-src.list ] || rm -f /etc/apt/sources.list.d/osarch-deb-src.list
	fi
	if [ -s "$out.tmp" ]; then mv "$out.tmp" "$out"; else rm -f "$out.tmp"; fi
	have_debsrc || die "found no deb entry to copy as deb-src"
	echo "wasm: added deb-src entries ($out), apt-get update" >&2
	apt-get update -qq >/dev/null || die "apt-get update failed"
}
mkdir -p "$W/src" || die "cannot create $W/src"
srcdir() { # package: its unpacked directory, when there
	for d in "$W/src/$1"-*/; do [ -d "$d" ] && { echo "${d%/}"; return 0; }; done
	return 1
}
for pkg in libyaml jansson; do
	srcdir "$pkg" >/dev/null && continue
	have_debsrc || add_debsrc
	echo "wasm: apt-get source $pkg" >&2
	(cd "$W/src" && apt-get source -qq "$pkg" >/dev/null 2>&1) ||
		{ root && apt-get update -qq >/dev/null && (cd "$W/src" && apt-get source -qq "$pkg" >/dev/null); } ||
		die "apt-get source $pkg failed"
	srcdir "$pkg" >/dev/null || die "apt-get source $pkg unpacked nothing in $W/src"
done
YAML=$(srcdir libyaml) JANSSON=$(srcdir jansson)

# ---- libyaml and jansson as WebAssembly archives ----
# Their own build systems would configure for the host; both are a handful
# of portable C files, compiled here with the defines their configure sets.
CFLAGS_LIB="-O2 -w"
lib() { # name, objects dir, then emcc arguments: $W/lib$name.a
	name=$1 objs=$2; shift 2
	[ -f "$W/lib$name.a" ] && return 0
	mkdir -p "$objs"
	for c in "$@"; do
		case $c in *.c) ;; *) continue ;; esac
		"$EMCC" $CFLAGS_LIB $LIBDEFS -c "$c" -o "$objs/$(basename "$c" .c).o" || die "emcc $c failed"
	done
	"$EMAR" rcs "$W/lib$name.a" "$objs"/*.o || die "emar lib$name.a failed"
}
yv=$(sed -n 's/^AC_INIT(\[yaml\], \[\([0-9.]*\)\].*/\1/p' "$YAML/configure.ac" 2>/dev/null)
[ -n "$yv" ] || yv=$(basename "$YAML" | sed 's/^libyaml-//')
IFS=. read -r ymaj ymin ypat <<EOF
$yv
EOF
LIBDEFS="-I$YAML/include -DYAML_VERSION_MAJOR=$ymaj -DYAML_VERSION_MINOR=$ymin -DYAML_VERSION_PATCH=$ypat -DYAML_VERSION_STRING=\"$yv\""
lib yaml "$W/obj-yaml" "$YAML"/src/*.c
# jansson's two generated headers, as its CMake/configure writes them for a
# C99 target with <stdint.h> (no atomics: the module has one thread).
mkdir -p "$W/jansson-include"
sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' -e 's/@json_have_localeconv@/1/' \
	-e 's/@json_have_atomic_builtins@/0/' -e 's/@json_have_sync_builtins@/0/' \
	"$JANSSON/src/jansson_config.h.in" >"$W/jansson-include/jansson_config.h" || die "jansson_config.h"
cp "$JANSSON/src/jansson.h" "$W/jansson-include/" || die "jansson.h"
cat >"$W/jansson-include/jansson_private_config.h" <<'EOF'
/* jansson's private configuration for emscripten's libc (scripts/wasm.sh). */
#define HAVE_STDINT_H 1
#define HAVE_UNISTD_H 1
#define HAVE_FCNTL_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_LOCALE_H 1
#define HAVE_SETLOCALE 1
#define HAVE_GETTIMEOFDAY 1
#define HAVE_GETPID 1
#define HAVE_OPEN 1
#define HAVE_CLOSE 1
#define HAVE_READ 1
#define HAVE_STRTOLL 1
#define USE_URANDOM 1
#define INITIAL_HASHTABLE_ORDER 3
EOF
LIBDEFS="-I$W/jansson-include -I$JANSSON/src -DHAVE_CONFIG_H=1"
lib jansson "$W/obj-jansson" "$JANSSON"/src/*.c

# ---- osarch ----
# The sources of `make`'s libosarch.a and src/main.c (the Makefile passes
# them as OSARCH_SRC, and the layers' header folders as OSARCH_INC), with
# the native build's flags; -I$BUILD for gitversion.h.
[ -n "$OSARCH_SRC" ] || die "OSARCH_SRC not set (run make wasm)"
[ -n "$OSARCH_INC" ] || die "OSARCH_INC not set (run make wasm)"
mkdir -p "$W/obj" "$OUTDIR" || die "cannot create $W/obj or $OUTDIR"
CFLAGS_OSARCH="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
-Wno-error=deprecated-declarations $OSARCH_INC -I${BUILD:-build} -I$YAML/include -I$W/jansson-include -O2"
objs=""
for c in $OSARCH_SRC; do
	o="$W/obj/$(echo "$c" | tr / _ | sed 's/\.c$/.o/')"
	objs="$objs $o"
	# Rebuilt when the source or any header is newer.
	if [ -f "$o" ] && [ -z "$(find "$c" include "${BUILD:-build}/gitversion.h" -newer "$o" 2>/dev/null | head -n 1)" ]; then
		continue
	fi
	echo "wasm: emcc $c" >&2
	"$EMCC" $CFLAGS_OSARCH -c "$c" -o "$o" || die "emcc $c failed"
done
# MODULARIZE: one fresh instance per run (a run is main() once, as on the
# command line); FORCE_FILESYSTEM: the page writes the YAML into the
# module's memory file system; NODEFS for the Node test (the repository
# mounted as it is). ALLOW_MEMORY_GROWTH: a run's memory is the CLI's.
"$EMCC" -O2 $objs "$W/libyaml.a" "$W/libjansson.a" -lm -lnodefs.js -o "$W/osarch.js" \
	-s MODULARIZE=1 -s EXPORT_NAME=OsarchWasm -s INVOKE_RUN=0 -s EXIT_RUNTIME=1 \
	-s FORCE_FILESYSTEM=1 -s ALLOW_MEMORY_GROWTH=1 -s ENVIRONMENT=web,node \
	-s NODEJS_CATCH_EXIT=0 -s NODEJS_CATCH_REJECTION=0 -s EXPORTED_RUNTIME_METHODS=callMain,FS ||
	die "emcc link failed"
# One file: emscripten's JavaScript, then the .wasm as base64 in
# OsarchWasm.wasmBase64 (a page opened from file:// may load a script beside
# it but not fetch() a .wasm). Emscripten's SINGLE_FILE would inline it too,
# but out of reach: the wrapper compiles these bytes once and instantiates
# the compiled module for every run (Module.instantiateWasm), a few
# milliseconds instead of a compilation per run.
{
	cat "$W/osarch.js" &&
		printf '\n// The WebAssembly of the module above, base64 (scripts/wasm.sh).\nOsarchWasm.wasmBase64 = "' &&
		base64 -w0 "$W/osarch.wasm" && printf '";\n'
} >"$W/osarch-wasm.js" || die "cannot write $W/osarch-wasm.js"
cp "$W/osarch-wasm.js" "$OUTDIR/osarch-wasm.js" && cp scripts/osarch-run.js "$OUTDIR/osarch-run.js" ||
	die "cannot copy into $OUTDIR"
echo "wasm: wrote $OUTDIR/osarch-wasm.js ($(wc -c <"$OUTDIR/osarch-wasm.js" | tr -d ' ') bytes, wasm inlined) and $OUTDIR/osarch-run.js"
