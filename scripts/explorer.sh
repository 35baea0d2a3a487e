#!/bin/sh
# explorer.sh: writes report/index.html, the explorer page (issue 11).
#
#   sh scripts/explorer.sh [OSARCH [RESULTS_DIR [OUT]]]
#
# defaults: build/osarch, results/default, report/index.html. `make explorer`
# runs it. One self-contained static page (no server, no network: it opens
# from the file system) with
#   - the trace of one call of each workload in $EXPLORER_WORKLOADS (default
#     "read-disk read") under every architecture of RESULTS_DIR/results.json,
#     as side-by-side step lists to step through (buttons and arrow keys);
#   - the comparison tables (cycles, traps, address-space switches per call,
#     workloads x architectures) from results.json;
#   - every figure plots/*.svg, its markup inlined (default-* first).
# The data is the JSON the CLI writes, embedded verbatim in
# <script type="application/json"> blocks: id="results" (results.json),
# id="manifest" (manifest.json, when present) and one class="trace" block per
# (workload, architecture) with the output of
#   osarch trace --arch A --machine M --format json W
# The page's script builds the columns and tables from those blocks. The
# colours are those of plots/palette.gp (read from it, id="palette").
# Nothing in the output depends on the time of the run: the same inputs give
# the same page, byte for byte. Written to a temporary file, then renamed.
#
# Exit status: 0 written; 1 an input is missing or a trace failed (nothing
# is written).

cd "$(dirname "$0")/.." || exit 1
OSARCH=${1:-build/osarch}
RESDIR=${2:-results/default}
OUT=${3:-report/index.html}
WORKLOADS=${EXPLORER_WORKLOADS:-read-disk read}
# WORKLOAD@MACHINE entries traced on another profile than the run's: on
# modern every L1 miss of a warm read is 0 (its 32 KiB L1 caches hold the
# read path), so the page also offers the read on the Pentium-133's 8 KiB L1,
# where each crossing's misses show the footprint.
FOOTPRINT=${EXPLORER_FOOTPRINT-read@pentium-133}
# The comparison view's choices (see below).
COMPARE_EXTRA=${EXPLORER_COMPARE_EXTRA-mach-multiserver:driver=user l4:spaces=small l4-multiserver:spaces=small}
COMPARE_WORKLOADS=${EXPLORER_COMPARE_WORKLOADS-read read-disk null}
FOOTPRINT_WHY="the same call on a machine with small caches (8 KiB L1 I and D): the read path no longer fits, so each crossing's L1i and L1d misses show its cache footprint; on the run's own profile the warm path hits in the L1 every time (architectures that need VT-x are left out: this machine has none)"

RESULTS=$RESDIR/results.json

die() { echo "explorer: $*" >&2; exit 1; }
[ -x "$OSARCH" ] || die "$OSARCH not found (make build/osarch first)"
[ -f "$RESULTS" ] || die "$RESULTS not found (run: $OSARCH run configs/default.yaml --quiet)"

# Architectures and the machine, in the order of results.json (one point a line).
ARCHS=$(sed -n 's/^ *{"arch": "\([^"]*\)".*/\1/p' "$RESULTS" | awk '!seen[$0]++')
MACHINE=$(sed -n 's/^ *{"arch": "[^"]*", "workload": "[^"]*", "machine": "\([^"]*\)".*/\1/p' "$RESULTS" | head -n 1)
CONFIG=$(sed -n 's/^ *"name": "\([^"]*\)".*/\1/p' "$RESULTS" | head -n 1)
[ -n "$ARCHS" ] || die "$RESULTS: no points"
[ -n "$MACHINE" ] || MACHINE=modern
COMPARE_MACHINES=${EXPLORER_COMPARE_MACHINES-$MACHINE pentium-133}

outdir=$(dirname "$OUT")
mkdir -p "$outdir" || die "cannot create $outdir"
tmp="$outdir/.explorer.$$.tmp"
trap 'rm -f "$tmp" "$tmp.trace" "$tmp.err"' EXIT
trap 'exit 1' HUP INT TERM

esc() { # HTML-escape stdin
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}
# JSON embedded in a <script> block: "</" would end the block early; "<\/"
# is the same JSON string. (The CLI's JSON has none, so this is verbatim.)
json_block() { # id-attribute-and-class, file
	printf '<script type="application/json" %s>\n' "$1"
	sed 's#</#<\\/#g' "$2"
	printf '</script>\n'
}
# The first paragraph of a figure script's head comment ("# NAME.gp: ..."
# up to the first line that is not a comment with text), without its
# "Render with ..." advice for maintainers.
gp_desc() {
	awk '/^# [A-Za-z0-9_.-]*\.gp: /{on=1} on&&!/^#[[:space:]]*[^[:space:]]/{exit} on{print}' "$1" |
		sed -e 's/^#[[:space:]]*//' -e 's/^[A-Za-z0-9_.-]*\.gp: //' | tr '\n' ' ' |
		sed -e 's/  */ /g' -e 's/ *Render with .*//' -e 's/ *$//' |
		awk '{ print toupper(substr($0, 1, 1)) substr($0, 2) }'
}

{
cat <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="osarch scripts/explorer.sh">
EOF
printf '<title>osarch explorer: %s</title>\n' "$(printf '%s' "$CONFIG" | esc)"
cat <<'EOF'
<style>
:root { --fg: #1a1a1a; --muted: #4d4d4d; --line: #c8c8c8; --soft: #f3f3f3;
  --cur: #fff1b8; --curline: #1a1a1a; --trap: #a8200d; --focus: #1456c8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.wrap { max-width: 1400px; margin: 0 auto; padding: 0 16px; }
h1 { font-size: 1.5rem; margin: 16px 0 4px; }
h2 { font-size: 1.25rem; margin: 28px 0 8px; padding-top: 8px; border-top: 2px solid var(--fg); }
p { margin: 6px 0; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
a { color: #0b4fb5; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.lead { color: var(--muted); max-width: 75ch; }
nav.toc { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0 0; }
.vh { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
button { font: inherit; color: var(--fg); background: var(--soft); border: 1px solid #6b6b6b;
  border-radius: 5px; padding: 5px 12px; min-height: 36px; cursor: pointer; }
button:hover { background: #e4e4e4; }
button[aria-pressed="true"] { background: var(--fg); color: #fff; border-color: var(--fg); }
button[aria-disabled="true"] { color: #767676; background: #fafafa; border-color: #b5b5b5; cursor: not-allowed; }
.controls { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid var(--line);
  padding: 8px 0; display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; }
.controls .group { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.controls .label { font-weight: 600; }
#pos { font-weight: 700; min-width: 7.5em; text-align: center; font-variant-numeric: tabular-nums; }
.hint { color: var(--muted); font-size: .88rem; }
h1 .sub { color: var(--muted); font-size: .95rem; font-weight: 600; white-space: nowrap; }
kbd { font-family: inherit; font-size: .85em; border: 1px solid #888; border-bottom-width: 2px;
  border-radius: 3px; padding: 0 4px; background: #fafafa; }
#status { margin: 8px 0; }
.cols { display: grid; grid-template-columns: repeat(auto-fill, minmax(232px, 1fr)); gap: 6px 12px; margin-top: 8px; }
/* Each column spans five rows of the grid and shares them with its
   neighbours (subgrid), so that the step lists, the current-step boxes and
   the totals of a row of columns line up. */
.col { position: relative; border: 1px solid var(--line); border-top: 8px solid var(--c, #bbb); border-radius: 5px;
  padding: 6px 8px 8px; min-width: 0; margin-bottom: 8px;
  display: grid; grid-row: span 5; grid-template-rows: subgrid; align-content: start; }
@supports not (grid-template-rows: subgrid) { .col { display: block; } .col > * + * { margin-top: 6px; } }
.col > * { min-width: 0; }
.col h3 { margin: 0; font-size: 1rem; display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #000; background: var(--c, #bbb);
  flex: none; }
.col .count { color: var(--muted); font-size: .85rem; margin: 0; }
table.tot { width: 100%; border-collapse: collapse; font-size: .84rem; font-variant-numeric: tabular-nums; }
table.tot th, table.tot td { padding: 1px 3px; border-bottom: 1px solid #e2e2e2; }
table.tot thead th { font-weight: 600; color: var(--muted); text-align: right; font-size: .78rem; }
table.tot tbody th { text-align: left; font-weight: normal; white-space: nowrap; }
table.tot td { text-align: right; }
table.tot td.sofar { font-weight: 700; }
.extra { font-size: .8rem; color: var(--muted); margin: 0; }
.cur { padding: 5px 8px; background: var(--cur); border: 2px solid var(--curline);
  border-radius: 4px; font-size: .84rem; }
.cur.none { background: var(--soft); border: 2px dashed #8a8a8a; }
.cur p { margin: 0 0 3px; }
.cur .head { font-weight: 700; font-size: .9rem; }
.cur .nums { font-variant-numeric: tabular-nums; font-size: .78rem; }
.cur .nums .item { white-space: nowrap; margin-right: .25em; }
.cur .nums .lbl { color: var(--muted); }
.cur .cycles { font-size: .95rem; }
.cur .ran { overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: .72rem; font-weight: 700; letter-spacing: .03em; line-height: 1.35;
  color: #fff; background: var(--trap); border-radius: 3px; padding: 0 5px; vertical-align: 1px; }
.badge.no { color: var(--muted); background: transparent; border: 1px solid #999; font-weight: 600; }
ol.steps { list-style: none; margin: 0; padding: 0; }
li.step { position: relative; display: grid; grid-template-columns: 1.7em 1fr auto; gap: 0 4px; align-items: baseline;
  padding: 3px 4px 3px 4px; margin: 2px 0; border: 2px solid transparent; border-left: 5px solid #e0e0e0;
  border-radius: 3px; font-size: .84rem; }
li.step.trapped { border-left-color: var(--trap); }
li.step .n { font-weight: 700; text-align: right; padding-right: 2px; font-variant-numeric: tabular-nums; }
li.step .route { min-width: 0; overflow-wrap: anywhere; }
li.step .cyc { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
li.step .sub { grid-column: 2 / 4; color: var(--muted); font-size: .78rem; }
li.step.future { color: #595959; }
li.step.current { background: var(--cur); border-color: var(--curline); border-left-color: var(--curline); }
li.step.current.trapped { border-left-color: var(--trap); }
li.step.current .n::before { content: "\25B6\00A0"; font-size: .7em; vertical-align: 1px; }
.list-h { display: grid; grid-template-columns: 1.7em 1fr auto; gap: 0 4px; padding: 0 6px 0 9px;
  font-size: .74rem; color: var(--muted); }
.list-h span:first-child { text-align: right; padding-right: 2px; }
.done-note { font-size: .82rem; color: var(--muted); margin: 4px 0 0; }
.table-wrap { position: relative; overflow-x: auto; border: 1px solid var(--line); border-radius: 4px; margin: 6px 0 18px; }
table.cmp { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .88rem; width: 100%; }
table.cmp caption { text-align: left; font-weight: 700; padding: 6px 8px; font-size: 1rem; }
table.cmp th, table.cmp td { padding: 4px 8px; border-bottom: 1px solid #e2e2e2; }
table.cmp thead th { vertical-align: bottom; font-weight: 600; text-align: right; border-bottom: 2px solid #777;
  min-width: 5.5em; }
table.cmp thead th span.name { display: block; }
table.cmp thead th .swatch { margin-bottom: 2px; }
table.cmp tbody th { text-align: left; white-space: nowrap; position: sticky; left: 0; background: #fff;
  font-weight: 600; }
table.cmp thead th:first-child { position: sticky; left: 0; background: #fff; text-align: left; }
table.cmp td { text-align: right; }
table.cmp td.min { font-weight: 800; text-decoration: underline; text-underline-offset: 3px; }
table.cmp tbody tr:nth-child(even) td, table.cmp tbody tr:nth-child(even) th { background: #f7f7f7; }
figure { margin: 12px 0 24px; }
figure svg { display: block; width: 100%; max-width: 960px; height: auto; border: 1px solid var(--line); }
figcaption { max-width: 960px; margin: 0 0 6px; }
figcaption .src { color: var(--muted); font-size: .85rem; }
details > summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
footer { margin: 32px 0 24px; color: var(--muted); font-size: .88rem; border-top: 1px solid var(--line); padding-top: 8px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 600px) {
  body { font-size: 14px; }
  .wrap { padding: 0 10px; }
  .controls { gap: 6px 10px; }
  .hint { display: none; }
  .cols { grid-template-columns: 1fr; }
}
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
.cmp-controls label { display: inline-flex; flex-direction: column; font-size: .85rem; color: var(--muted); margin: 0 8px 6px 0; }
.cmp-controls select { font: inherit; color: var(--fg); min-height: 36px; padding: 4px; border: 1px solid #6b6b6b; border-radius: 5px; background: #fff; }
.cmp-cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; margin-top: 8px; }
.cmp-col { border: 1px solid var(--line); border-top: 8px solid var(--c, #bbb); border-radius: 5px; padding: 6px 8px; min-width: 0; }
.cmp-col h3 { margin: 2px 0 4px; font-size: 1.05rem; overflow-wrap: anywhere; }
.cmp-col .sum { color: var(--muted); font-size: .9rem; margin: 0 0 6px; }
.cmp-rows { list-style: none; margin: 0; padding: 0; }
.cmp-rows li { display: grid; grid-template-columns: 4.2em 1fr auto; gap: 4px; align-items: baseline; min-height: 2.4em;
  border: 1px solid transparent; border-left: 4px solid transparent; padding: 2px 4px; font-size: .9rem; }
.cmp-rows li .ph { font-size: .75rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.cmp-rows li.empty { color: #8a8a8a; }
.cmp-rows li.trapped { border-left-color: var(--trap); }
.cmp-rows li.current { background: var(--cur); border-color: var(--curline); }
.cmp-rows li.phase-start { border-top: 1px dashed var(--line); }
.cmp-rows .r { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; } /* one line each: lines align across columns */
svg.rings { display: block; width: 100%; height: auto; margin-top: 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
svg.rings .band { fill: #f6f6f6; stroke: #d6d6d6; }
svg.rings .band-l { font-size: 10px; fill: #4d4d4d; }
svg.rings .dom { fill: #fff; stroke: #333; stroke-width: 1; }
svg.rings .dom.on { fill: #fff1b8; stroke-width: 2; }
svg.rings .dom-l { font-size: 10px; fill: #1a1a1a; }
svg.rings .hop { fill: none; stroke: #1a1a1a; stroke-width: 2.2; }
svg.rings .hop.as { stroke: #a8200d; }
svg.rings .hop-l { font-size: 10px; fill: #a8200d; }
@media (prefers-reduced-motion: no-preference) {
  svg.rings .hop { stroke-dasharray: 400; stroke-dashoffset: 400; animation: hop-draw .6s ease-out forwards; }
  @keyframes hop-draw { to { stroke-dashoffset: 0; } }
}
.try-controls label { display: inline-flex; flex-direction: column; font-size: .85rem; color: var(--muted); margin: 0 8px 6px 0; }
.try-controls select { font: inherit; color: var(--fg); min-height: 36px; padding: 4px; border: 1px solid #6b6b6b; border-radius: 5px; background: #fff; max-width: 100%; }
.try-status { padding: 6px 10px; border-radius: 4px; background: var(--soft); border-left: 5px solid #8a8a8a; }
.try-status.on { border-left-color: #1b7a2f; }
.try-status.off { border-left-color: var(--trap); }
.try-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; margin-top: 8px; }
@media (max-width: 900px) { .try-grid { grid-template-columns: minmax(0, 1fr); } }
.tabs { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 4px; }
.ed { display: grid; grid-template-columns: auto minmax(0, 1fr); border: 1px solid #6b6b6b; border-radius: 4px; overflow: hidden; }
.ed[hidden] { display: none; }
.ed .gutter, .ed textarea { margin: 0; font: 13px/18px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; padding: 6px 6px; }
.ed .gutter { background: var(--soft); color: #6b6b6b; text-align: right; overflow: hidden; user-select: none; min-width: 3.2em; height: 26em; }
.ed .gutter span { display: block; }
.ed .gutter span.err { background: var(--trap); color: #fff; font-weight: 700; }
.ed textarea { border: 0; resize: vertical; height: 26em; width: 100%; white-space: pre; overflow: auto; color: var(--fg); background: #fff; tab-size: 2; }
.try-error { margin: 6px 0; padding: 6px 10px; border: 2px solid var(--trap); border-radius: 4px; background: #fdf0ee;
  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.try-error[hidden] { display: none; }
table.try-tot { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .9rem; width: 100%; }
table.try-tot th, table.try-tot td { padding: 3px 6px; border-bottom: 1px solid #e2e2e2; text-align: right; }
table.try-tot th:first-child { text-align: left; font-weight: normal; }
table.try-tot thead th { font-weight: 600; color: var(--muted); font-size: .8rem; }
table.try-tot td.up { color: var(--trap); font-weight: 700; }
table.try-tot td.down { color: #1b7a2f; font-weight: 700; }
pre.cli { font-size: .78rem; overflow-x: auto; background: var(--soft); padding: 6px; border-radius: 4px; max-width: 100%; }
.share-url { width: 100%; font: .8rem ui-monospace, "DejaVu Sans Mono", monospace; margin-top: 4px; }
#lab3 { border: 1px solid var(--line); border-left: 6px solid #0b4fb5; border-radius: 5px; padding: 6px 12px; margin-top: 12px; }
#lab3[hidden] { display: none; }
#lab3 .ed textarea, #lab3 .ed .gutter { height: 18em; }
</style>
</head>
<body>
<div class="wrap">
<header>
EOF
printf '<h1>osarch explorer <span class="sub">%s</span></h1>\n' \
	"$(printf 'results/%s on the %s profile' "$CONFIG" "$MACHINE" | esc)"
cat <<'EOF'
<p class="lead">One system call, step by step, under every architecture: each column lists the
rows of one call as <code>osarch trace</code> prints them (domain crossings with their
transport, the work done inside a domain, copies with their bytes and cache lines, trips to a
monitor with why, faults taken in a kernel), whether a row trapped (a
<span class="badge">TRAP</span> label and a red edge) and what it cost; the rows add up to the
call's cycles. Step through them with the
buttons or the <kbd>&larr;</kbd> <kbd>&rarr;</kbd> keys; the current step is highlighted in every
column at once. Below: the comparison tables and the figures of the same run.</p>
<nav class="toc" aria-label="Sections"><a href="#explorer">Step through a call</a>
<a href="#compare">Compare architectures</a> <a href="#try">Edit and run</a>
<a href="#tables">Comparison tables</a> <a href="#figures">Figures</a> <a href="#about">About the data</a></nav>
</header>
<main>
<section id="explorer" aria-labelledby="explorer-h">
<h2 id="explorer-h">Step through a call</h2>
<div class="controls" role="group" aria-label="Step controls">
<div class="group" role="group" aria-label="Workload"><span class="label" aria-hidden="true">Workload:</span>
EOF
first=1
for w in $WORKLOADS; do
	d=""
	[ -f "workloads/$w.yaml" ] && d=$(sed -n 's/^description: *//p' "workloads/$w.yaml" | head -n 1 |
		sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\\(.*\\)'\$/\\1/")
	if [ $first = 1 ]; then p=true; first=0; else p=false; fi
	printf '<button type="button" class="wl" data-workload="%s" data-description="%s" aria-pressed="%s">%s</button>\n' \
		"$(printf '%s' "$w" | esc)" "$(printf '%s' "$d" | esc)" "$p" "$(printf '%s' "$w" | esc)"
done
for f in $FOOTPRINT; do
	w=${f%@*} m=${f#*@}
	d=""
	[ -f "workloads/$w.yaml" ] && d=$(sed -n 's/^description: *//p' "workloads/$w.yaml" | head -n 1 |
		sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\\(.*\\)'\$/\\1/")
	printf '<button type="button" class="wl" data-workload="%s" data-machine="%s" data-description="%s" aria-pressed="false">%s on %s</button>\n' \
		"$(printf '%s' "$f" | esc)" "$(printf '%s' "$m" | esc)" "$(printf '%s; %s' "$d" "$FOOTPRINT_WHY" | esc)" \
		"$(printf '%s' "$w" | esc)" "$(printf '%s' "$m" | esc)"
done
cat <<'EOF'
</div>
<div class="group"><button type="button" id="prev" aria-keyshortcuts="ArrowLeft">&#9664; Previous</button>
<span id="pos" aria-live="polite" aria-atomic="true">Step 1</span>
<button type="button" id="next" aria-keyshortcuts="ArrowRight">Next &#9654;</button></div>
<span class="hint">Keys: <kbd>&larr;</kbd> <kbd>&rarr;</kbd> step, <kbd>Home</kbd> <kbd>End</kbd> first and last</span>
</div>
<p id="wl-desc" class="lead"></p>
<p id="status"></p>
<div id="cols" class="cols"></div>
<noscript><p>The step lists and tables are drawn by the page's script from the JSON blocks in
its source; the figures below need no script.</p></noscript>
</section>

<section id="compare" aria-labelledby="compare-h">
<h2 id="compare-h">Compare two or three architectures</h2>
<p class="lead">Pick up to three architectures (with their options), the machine, warm or cold caches and
the call. The trace's rows are aligned by <em>phase</em>: the <b>entry</b> from the application, the
<b>service</b> (work in a domain, crossings between the kernel and its servers), the <b>copies</b> of
the data, and the <b>return</b> to the application, so the same part of the call sits on the same line in every
column whatever its step number. The diagram under each column shows the protection domains by ring
and draws the current crossing (red: it loads another address space). The address of the page
keeps the choice (<code>?archs=mach,l4&amp;machine=pentium-133&amp;mode=cold&amp;w=read&amp;row=2</code>),
so a slide can link to it.</p>
<div class="controls cmp-controls" role="group" aria-label="Comparison choices">
<label>Architecture 1 <select id="cmp-a1"></select></label>
<label>Architecture 2 <select id="cmp-a2"></select></label>
<label>Architecture 3 <select id="cmp-a3"></select></label>
<label>Machine <select id="cmp-machine"></select></label>
<label>Caches <select id="cmp-mode"><option value="warm">warm</option><option value="cold">cold (first call)</option></select></label>
<label>Call <select id="cmp-w"></select></label>
</div>
<div class="controls" role="group" aria-label="Comparison steps">
<button type="button" id="cmp-prev">&#9664; Previous</button>
<span id="cmp-pos" aria-live="polite" aria-atomic="true"></span>
<button type="button" id="cmp-next">Next &#9654;</button>
</div>
<p id="cmp-desc" class="lead"></p>
<div id="cmp-cols" class="cmp-cols"></div>
</section>

<section id="try" aria-labelledby="try-h">
<h2 id="try-h">Edit and run in your browser</h2>
<p class="lead">Change where a service runs (its <code>placement:</code>), a transport, a workload or a
machine profile, then <b>Run</b>: the model itself, compiled to WebAssembly, walks the call again in
this page and redraws the trace, its totals and the comparison with the shipped architecture. The
editors start from the shipped files; an error in them is reported as <code>osarch</code> reports it,
<code>file:line:col: error: ...</code>, and the line is marked in the editor. <b>Share</b> puts your
files in the address of the page (after the <code>#</code>, never sent anywhere). Pick
<em>lab 3</em> as the architecture to build the hybrid kernel of <code>labs/3</code> here and download
the answer file that <code>osarch check labs/3</code> grades.</p>
<p id="try-status" class="try-status" role="status">Looking for the in-browser model (<code>osarch-wasm.js</code> beside this page)&hellip;</p>
<div class="controls try-controls" role="group" aria-label="What to run">
<label>Architecture <select id="try-arch"></select></label>
<label>Call <select id="try-w"></select></label>
<label>Machine <select id="try-m"></select></label>
<div class="group"><button type="button" id="try-run" disabled>Run</button>
<button type="button" id="try-share">Share</button>
<button type="button" id="try-reset">Shipped files</button></div>
</div>
<input id="try-share-url" class="share-url" readonly hidden aria-label="Address of this page with your files">
<div class="try-grid">
<div class="try-edit">
<div class="tabs" role="group" aria-label="File to edit">
<button type="button" class="ed-tab" data-kind="arch" aria-pressed="true">Architecture</button>
<button type="button" class="ed-tab" data-kind="wl" aria-pressed="false">Workload</button>
<button type="button" class="ed-tab" data-kind="mach" aria-pressed="false">Machine</button>
</div>
<div class="ed" data-kind="arch"><pre class="gutter" aria-hidden="true"></pre><textarea id="ed-arch" wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off" aria-label="Architecture YAML"></textarea></div>
<div class="ed" data-kind="wl" hidden><pre class="gutter" aria-hidden="true"></pre><textarea id="ed-wl" wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off" aria-label="Workload YAML"></textarea></div>
<div class="ed" data-kind="mach" hidden><pre class="gutter" aria-hidden="true"></pre><textarea id="ed-mach" wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off" aria-label="Machine profile YAML"></textarea></div>
<p id="try-file" class="hint"></p>
<p id="try-error" class="try-error" role="alert" hidden></p>
</div>
<div class="try-out" aria-live="polite">
<p id="try-time" class="hint"></p>
<div id="try-totals"></div>
<div id="try-cols" class="cmp-cols"></div>
<details><summary>The command line's output</summary><pre id="try-cli" class="cli"></pre></details>
</div>
</div>
<div id="lab3" hidden>
<h3>Lab 3: build a hybrid kernel</h3>
<p>Edit the architecture above (it starts as <code>labs/3/start.yaml</code>, a copy of the monolithic
kernel) until the block driver runs in a user-level server; the questions and the specification are
in <a href="../labs/3/README.md">labs/3/README.md</a>. The comparison column is <code>monolithic</code>.
Predict, then fill in your answers below (the answer file names your architecture
<code>labs/3/my-hybrid.yaml</code>), check them here, and hand in both downloads: put
<code>my-hybrid.yaml</code> in <code>labs/3/</code> and run <code>osarch check labs/3 answer.yaml</code>.</p>
<div class="ed" data-kind="answer"><pre class="gutter" aria-hidden="true"></pre><textarea id="ed-answer" wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off" aria-label="Lab 3 answer file YAML"></textarea></div>
<div class="group" style="margin-top:6px"><button type="button" id="lab-check" disabled>Check my answers</button>
<button type="button" id="lab-dl-answer">Download answer.yaml</button>
<button type="button" id="lab-dl-arch">Download my-hybrid.yaml</button></div>
<pre id="lab-out" class="cli" hidden></pre>
</div>
</section>

<section id="tables" aria-labelledby="tables-h">
<h2 id="tables-h">Comparison tables</h2>
<p class="lead">Per call of each workload, averaged over the measured calls of the run (warm caches).
The lowest value in each row is in <strong>bold and underlined</strong>. On a narrow screen the
tables scroll sideways.</p>
<div id="tables-body"></div>
</section>

<section id="figures" aria-labelledby="figures-h">
<h2 id="figures-h">Figures</h2>
<p class="lead">The figures of <code>make plots</code>, inlined from <code>plots/*.svg</code>
(see <code>docs/plots.md</code>). Each architecture has the same colour as in the columns above,
plus a hatch and a point shape of its own.</p>
EOF

# The figures: default-cycles, default-traps, default-breakdown first, then the
# others by name, each in a <details> (open for the default-* ones).
n=0
for f in plots/default-cycles.svg plots/default-traps.svg plots/default-breakdown.svg \
	$(ls plots/*.svg 2>/dev/null | grep -Ev '^plots/default-(cycles|traps|breakdown)\.svg$'); do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f" .svg)
	gp=plots/$name.gp
	desc="" input=""
	if [ -f "$gp" ]; then
		desc=$(gp_desc "$gp")
		input=$(sed -n 's/^# input: *//p' "$gp" | head -n 1)
	fi
	case $name in default-*) open=" open" ;; *) open="" ;; esac
	[ $n = 4 ] && printf '<h3>More figures</h3>\n'
	printf '<details class="fig"%s><summary>%s</summary>\n<figure id="fig-%s">\n' "$open" "$name" "$name"
	printf '<figcaption id="cap-%s">%s' "$name" "$(printf '%s' "$desc" | esc | sed 's/`\([^`]*\)`/<code>\1<\/code>/g')"
	printf ' <span class="src">(<code>%s</code>%s)</span></figcaption>\n' "$f" \
		"$([ -n "$input" ] && printf ', from <code>%s</code>' "$(printf '%s' "$input" | esc)")"
	# Inline the markup: no XML declaration or DOCTYPE, no namespace
	# declarations (HTML's parser knows SVG), and every id and reference given
	# a prefix of its own, because each gnuplot file defines the same ids
	# (gpPat1, gpPt3, ...) with different contents.
	p="f$n-"
	sed -e '/^<?xml/d' -e '/^<!DOCTYPE/d' -e '/^ *"http:\/\/www.w3.org\/Graphics\/SVG/d' \
		-e 's/ xmlns\(:xlink\)\{0,1\}="[^"]*"//g' \
		-e "s/ id='\\([^']*\\)'/ id='$p\\1'/g" -e "s/ id=\"\\([^\"]*\\)\"/ id=\"$p\\1\"/g" \
		-e "s/href='#/href='#$p/g" -e "s/href=\"#/href=\"#$p/g" -e "s/url(#/url(#$p/g" \
		-e "s/^<svg */<svg role=\"img\" aria-labelledby=\"cap-$name\" /" \
		-e "s|<title>Gnuplot</title>|<title>$name</title>|" "$f"
	printf '</figure>\n</details>\n'
done
[ $n = 0 ] && printf '<p>No figures: run <code>make plots</code> (needs gnuplot).</p>\n'

cat <<'EOF'
</section>

<footer id="about">
<h2>About the data</h2>
<p>Everything on this page comes from the JSON blocks in its source: <code>results.json</code>
of the run (id <code>results</code>), its <code>manifest.json</code> (id <code>manifest</code>) and, for
each step list, the output of <code>osarch trace --arch A --machine M --format json W</code>
(one block per architecture and workload, class <code>trace</code>), copied verbatim. A trace is one
warm call; its totals equal the run's averages for the same point. Written by
<code>scripts/explorer.sh</code> (<code>make explorer</code>); see <code>docs/explorer.md</code>.</p>
<dl class="meta" id="meta"></dl>
</footer>
</main>
</div>
EOF

# The data blocks.
json_block 'id="results"' "$RESULTS"
[ -f "$RESDIR/manifest.json" ] && json_block 'id="manifest"' "$RESDIR/manifest.json"
# The palette of plots/palette.gp: arch_color's "NAME" ? "#RRGGBB" lines.
printf '<script type="application/json" id="palette">\n{'
sed -n '/^arch_color(a)/,/^[[:space:]]*$/p' plots/palette.gp |
	sed -n 's/.*a eq "\([^"]*\)" *? *"\(#[0-9A-Fa-f]\{6\}\)".*/"\1": "\2", /p' | tr -d '\n'
fb=$(sed -n '/^arch_color(a)/,/^[[:space:]]*$/p' plots/palette.gp | sed -n 's/^[[:space:]]*"\(#[0-9A-Fa-f]\{6\}\)"[[:space:]]*$/\1/p')
printf '"*": "%s"}\n</script>\n' "${fb:-#BBBBBB}"
printf '<script type="application/json" id="explorer-meta">\n{"config": "%s", "machine": "%s", "results": "%s"}\n</script>\n' \
	"$CONFIG" "$MACHINE" "$RESULTS"
for w in $WORKLOADS; do
	i=0
	for a in $ARCHS; do
		i=$((i + 1))
		"$OSARCH" trace --arch "$a" --machine "$MACHINE" --format json "$w" >"$tmp.trace" ||
			die "osarch trace --arch $a --machine $MACHINE $w failed"
		json_block "id=\"trace-$w-$i\" class=\"trace\" data-workload=\"$w\" data-arch=\"$a\"" "$tmp.trace"
	done
done
for f in $FOOTPRINT; do
	w=${f%@*} m=${f#*@}
	i=0
	for a in $ARCHS; do
		i=$((i + 1))
		# An architecture the machine cannot run (VT-x on a 1995 Pentium) has
		# no column there; every other failure is one.
		if ! "$OSARCH" trace --arch "$a" --machine "$m" --format json "$w" >"$tmp.trace" 2>"$tmp.err"; then
			grep -q 'needs VT-x' "$tmp.err" && continue
			cat "$tmp.err" >&2
			die "osarch trace --arch $a --machine $m $w failed"
		fi
		json_block "id=\"trace-$w-$m-$i\" class=\"trace\" data-workload=\"$f\" data-arch=\"$a\"" "$tmp.trace"
	done
done
# The comparison view: every architecture (and the option variants of
# $COMPARE_EXTRA) on each machine of $COMPARE_MACHINES, warm and cold, for
# each call of $COMPARE_WORKLOADS; and each architecture's domains by ring,
# from `osarch list archs`.
printf '<script type="application/json" id="domains">\n'
"$OSARCH" list archs | awk '
/^  [a-z0-9-]+ +privileged code/ { name = $1; next }
/^    domains:/ && name != "" {
  sub(/^    domains: */, ""); out = out (n++ ? ", " : "") "\"" name "\": ["
  line = $0; first = 1
  while (match(line, /[a-z0-9_-]+\([^)]*\)/)) {
    tok = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
    d = tok; sub(/\(.*/, "", d)
    r = tok; sub(/.*ring /, "", r); sub(/[^0-9].*/, "", r)
    root = (tok ~ /root/) ? "true" : "false"
    out = out (first ? "" : ", ") "{\"name\": \"" d "\", \"ring\": " r ", \"root\": " root "}"; first = 0
  }
  out = out "]"; name = ""
}
END { print "{" out "}" }'
printf '</script>\n'
for a in $ARCHS $COMPARE_EXTRA; do
	for m in $COMPARE_MACHINES; do
		for mode in warm cold; do
			for w in $COMPARE_WORKLOADS; do
				c=""
				[ $mode = cold ] && c=--cold
				if ! "$OSARCH" trace --arch "$a" --machine "$m" --format json $c "$w" >"$tmp.trace" 2>"$tmp.err"; then
					grep -q 'needs VT-x' "$tmp.err" && continue
					cat "$tmp.err" >&2
					die "osarch trace --arch $a --machine $m $c $w failed"
				fi
				json_block "class=\"ctrace\" data-key=\"$a|$m|$mode|$w\"" "$tmp.trace"
			done
		done
	done
done

cat <<'EOF'
<script>
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function data(id) { var e = $(id); return e ? JSON.parse(e.textContent) : null; }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag), k;
    for (k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'style') e.style.cssText = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  var nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  function fmt(v) { return typeof v === 'number' ? nf.format(v) : '\u2013'; }

  var results = data('results'), palette = data('palette') || {}, manifest = data('manifest');
  var meta = data('explorer-meta') || {};
  function colour(a) { return palette[a] || palette[a.split(':')[0]] || palette['*'] || '#BBBBBB'; }
  function uniq(list) { var s = {}, out = []; list.forEach(function (x) { if (!s[x]) { s[x] = 1; out.push(x); } }); return out; }
  var archs = uniq(results.points.map(function (p) { return p.arch; }));
  var workloads = uniq(results.points.map(function (p) { return p.workload; }));
  function point(a, w) {
    for (var i = 0; i < results.points.length; i++) {
      var p = results.points[i];
      if (p.arch === a && p.workload === w && (!meta.machine || p.machine === meta.machine)) return p;
    }
    return null;
  }
  var traces = {};
  Array.prototype.forEach.call(document.querySelectorAll('script.trace'), function (s) {
    var w = s.getAttribute('data-workload'), a = s.getAttribute('data-arch');
    (traces[w] = traces[w] || {})[a] = JSON.parse(s.textContent);
  });

  // ---- the step lists ----
  var METRICS = [['traps', 'traps'], ['as_switches', 'AS switches'], ['ipc_messages', 'IPC messages'],
    ['vm_exits', 'VM exits'], ['hypercalls', 'hypercalls'], ['cycles', 'cycles']];
  var wlButtons = Array.prototype.slice.call(document.querySelectorAll('button.wl'));
  var state = { w: wlButtons.length ? wlButtons[0].getAttribute('data-workload') : 'read', k: 1 };
  var cols = [];

  function maxSteps() {
    var m = 0;
    cols.forEach(function (c) { m = Math.max(m, c.steps.length); });
    return m;
  }
  // A row's place and what it is (osarch trace's kind column and note).
  function route(s) {
    return s.kind === 'work' ? 'in ' + s.to : s.from + ' \u2192 ' + s.to;
  }
  function rowNote(s) {
    var k = s.kind || 'crossing';
    if (k === 'work') return 'work';
    if (k === 'copy') return 'copy ' + fmt(s.bytes) + ' B, ' + fmt(s.lines) + ' lines (' + s.transport + ')';
    if (k === 'monitor') return 'monitor: ' + s.transport + (s.count > 1 ? ' \u00d7' + s.count : '') + (s.why ? ' [' + s.why + ']' : '');
    if (k === 'fault') return 'fault (' + s.transport + ')';
    return s.transport + (s.cont ? ' (cont.)' : '');
  }
  function nCross(steps) {
    return steps.filter(function (s) { return (s.kind || 'crossing') === 'crossing' && !s.cont; }).length;
  }
  function build() {
    var box = $('cols');
    box.textContent = '';
    cols = [];
    var tw = traces[state.w] || {}, waits = {};
    archs.forEach(function (a) {
      var t = tw[a];
      if (!t) return;
      waits[t.total.io_wait_usec || 0] = 1;
      var steps = t.steps || [], p = point(a, state.w), id = 'col-h-' + cols.length;
      var art = el('article', { 'class': 'col', 'data-arch': a, 'aria-labelledby': id, style: '--c:' + colour(a) });
      // 1: the name
      art.appendChild(el('div', { 'class': 'head' }, [
        el('h3', { id: id }, [el('span', { 'class': 'swatch', 'aria-hidden': 'true' }), a]),
        el('p', { 'class': 'count', 'data-count': steps.length,
          text: (steps.length === 1 ? '1 row' : steps.length + ' rows') + ', ' +
            nCross(steps) + (nCross(steps) === 1 ? ' crossing' : ' crossings') })]));
      // 2: the rows (crossings, work, copies, monitor trips, faults), as osarch trace
      var ol = el('ol', { 'class': 'steps', 'aria-label': a + ': rows of the call' });
      var lis = steps.map(function (s) {
        var li = el('li', { 'class': 'step' + (s.trapped ? ' trapped' : ''), 'data-step': s.step, 'data-kind': s.kind || 'crossing' }, [
          el('span', { 'class': 'n', text: s.step }),
          el('span', { 'class': 'route' }, [route(s)]),
          el('span', { 'class': 'cyc' }, [fmt(s.cycles), el('span', { 'class': 'vh', text: ' cycles' })]),
          el('span', { 'class': 'sub' }, [rowNote(s) + ' ', s.trapped ? el('span', { 'class': 'badge', text: 'TRAP' }) : null,
            el('span', { 'class': 'vh', 'data-role': 'current-label' })])]);
        ol.appendChild(li);
        return li;
      });
      var note = el('p', { 'class': 'done-note' });
      var lh = steps.length ? el('div', { 'class': 'list-h', 'aria-hidden': 'true' },
        [el('span', { text: '#' }), el('span', { text: 'from \u2192 to, what' }), el('span', { text: 'cycles' })]) : null;
      art.appendChild(el('div', { 'class': 'list' }, [lh, ol, note]));
      // 3: the current step
      var cur = el('div', { 'class': 'cur' });
      art.appendChild(cur);
      // 4: the counts so far and of the whole call (results.json)
      var tb = el('tbody');
      METRICS.forEach(function (m) {
        var whole = p ? p[m[0]] : t.total[m[0]];
        tb.appendChild(el('tr', {}, [el('th', { scope: 'row', text: m[1] }),
          el('td', { 'class': 'sofar', 'data-metric': m[0] }),
          el('td', { 'class': 'call', 'data-metric': m[0], text: fmt(whole) })]));
      });
      var sofarH = el('th', { scope: 'col', 'class': 'sofar-h' });
      art.appendChild(el('table', { 'class': 'tot' }, [
        el('caption', { 'class': 'vh', text: a + ': counts up to the current step, and of the whole call' }),
        el('thead', {}, [el('tr', {}, [el('td'), sofarH, el('th', { scope: 'col', text: 'whole call' })])]), tb]));
      // 5: what no step shows
      var stepCycles = steps.reduce(function (s, x) { return s + x.cycles; }, 0);
      var outside = t.total.cycles - stepCycles;
      art.appendChild(el('p', { 'class': 'extra', 'data-outside-cycles': outside,
        // The rows add up to the call; each row's cycles are rounded to a whole cycle.
        text: Math.abs(outside) > steps.length ? 'The other ' + fmt(outside) + ' cycles of the call are in no row.' : '' }));
      box.appendChild(art);
      cols.push({ arch: a, art: art, trace: t, steps: steps, lis: lis, cur: cur, note: note, sofarH: sofarH,
        sofar: Array.prototype.slice.call(tb.querySelectorAll('td.sofar')) });
    });
    var wv = Object.keys(waits).map(Number), wait = '';
    if (wv.length === 1 && wv[0] > 0) wait = ' Every architecture also waits ' + fmt(wv[0]) + ' \u00b5s for the device; that time is not in the cycles.';
    else if (wv.length > 1) wait = ' The device wait (not in the cycles) differs between architectures: see the traces.';
    wlButtons.forEach(function (b) {
      var on = b.getAttribute('data-workload') === state.w;
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      if (on) $('wl-desc').textContent = state.w + ': ' + (b.getAttribute('data-description') || '') +
        '. One warm call on the ' + (b.getAttribute('data-machine') || meta.machine || '') + ' profile.' + wait;
    });
  }
  function detail(c, s) {
    var d = c.cur;
    d.textContent = '';
    d.className = 'cur';
    if (!s) {
      d.className = 'cur none';
      d.setAttribute('data-step', '0');
      d.appendChild(el('p', { 'class': 'head', text: c.steps.length === 0 ? 'No row' : 'Call finished' }));
      d.appendChild(el('p', { text: c.steps.length === 0
        ? 'The whole call runs in the application\u2019s own domain: nothing to step through.'
        : 'Back in the application after step ' + c.steps.length + '. The totals below are the whole call.' }));
      return;
    }
    function nums(label, list) {
      var p = el('p', { 'class': 'nums' }, label ? [el('span', { 'class': 'lbl', text: label }), '\u00a0'] : []);
      list.forEach(function (m) {
        p.appendChild(el('span', { 'class': 'item' }, [m[1] + '\u00a0', el('b', { 'data-metric': m[0], text: fmt(s[m[0]]) })]));
        p.appendChild(document.createTextNode(' '));
      });
      return p;
    }
    d.setAttribute('data-step', s.step);
    d.appendChild(el('p', { 'class': 'head' }, ['Step ' + s.step + ': ' + route(s)]));
    d.appendChild(el('p', {}, [rowNote(s) + ' ', s.trapped ? el('span', { 'class': 'badge', text: 'TRAP' })
      : el('span', { 'class': 'badge no', text: 'no trap' })]));
    d.appendChild(el('p', { 'class': 'cycles' }, [el('b', { 'data-metric': 'cycles', text: fmt(s.cycles) }), ' cycles']));
    d.appendChild(nums('misses', [['l1i_misses', 'L1i'], ['l1d_misses', 'L1d'], ['l2_misses', 'L2'], ['llc_misses', 'LLC']]));
    d.appendChild(nums('', [['as_switches', 'AS switches'], ['ipc_messages', 'IPC'], ['vm_exits', 'VM exits'], ['hypercalls', 'hypercalls']]));
    if (s.why) d.appendChild(el('p', {}, ['why: ', el('code', { text: s.why })]));
    d.appendChild(el('p', { 'class': 'ran' }, ['ran: ', el('code', { text: s.ran })]));
  }
  function update() {
    var max = maxSteps();
    if (state.k > max) state.k = max;
    if (state.k < 1) state.k = max ? 1 : 0;
    var k = state.k, inCall = 0, trapping = [];
    cols.forEach(function (c) {
      var n = c.steps.length, upto = Math.min(k, n);
      c.lis.forEach(function (li, i) {
        var on = i + 1 === k;
        li.classList.toggle('current', on);
        li.classList.toggle('future', i + 1 > k);
        if (on) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
        li.querySelector('[data-role=current-label]').textContent = on ? ' (current step)' : '';
      });
      if (k <= n) { inCall++; if (c.steps[k - 1].trapped) trapping.push(c.arch); }
      detail(c, k <= n ? c.steps[k - 1] : null);
      c.sofarH.textContent = 'so far';
      c.sofar.forEach(function (td) {
        var m = td.getAttribute('data-metric'), v = 0;
        for (var i = 0; i < upto; i++) v += c.steps[i][m] || 0;
        td.textContent = fmt(v);
      });
      c.note.textContent = n === 0 ? 'No domain crossing in this call.'
        : (k > n ? 'Finished after step ' + n + ' (of ' + max + ').' : '');
      c.note.hidden = !c.note.textContent;
    });
    cols.forEach(function (c) { c.art.classList.toggle('done', k > c.steps.length); });
    $('pos').textContent = max ? 'Step ' + k + ' of ' + max : 'No steps';
    $('prev').setAttribute('aria-disabled', k <= 1 ? 'true' : 'false');
    $('next').setAttribute('aria-disabled', k >= max ? 'true' : 'false');
    $('status').textContent = max ? ('At step ' + k + ', ' + inCall + ' of ' + cols.length +
      ' architectures are still in the call' + (trapping.length ? '; this step traps under ' + trapping.join(', ') : '; no trap at this step') + '.') : '';
  }
  function go(k) { state.k = k; update(); }
  $('prev').addEventListener('click', function () { if (state.k > 1) go(state.k - 1); });
  $('next').addEventListener('click', function () { if (state.k < maxSteps()) go(state.k + 1); });
  wlButtons.forEach(function (b) {
    b.addEventListener('click', function () { state.w = b.getAttribute('data-workload'); state.k = 1; build(); update(); });
  });
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var t = e.target || document.body, tag = t.tagName;
    // Leave the keys to form fields, to the sideways-scrolling tables and to
    // the figures' <summary> elements.
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || tag === 'SUMMARY' ||
        (t.closest && (t.closest('.table-wrap') || t.closest('#compare') || t.closest('#try')))) return;
    var max = maxSteps(), inControls = t === document.body || (t.closest && t.closest('.controls'));
    if (e.key === 'ArrowRight') { if (state.k < max) go(state.k + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { if (state.k > 1) go(state.k - 1); e.preventDefault(); }
    else if (e.key === 'Home' && inControls) { go(1); e.preventDefault(); }
    else if (e.key === 'End' && inControls) { go(max); e.preventDefault(); }
  });

  // ---- the comparison tables ----
  function table(metric, title) {
    var head = el('tr', {}, [el('th', { scope: 'col', text: 'workload' })]);
    archs.forEach(function (a) {
      head.appendChild(el('th', { scope: 'col', 'data-arch': a }, [
        el('span', { 'class': 'swatch', 'aria-hidden': 'true', style: '--c:' + colour(a) }), el('span', { 'class': 'name', text: a })]));
    });
    var body = el('tbody');
    workloads.forEach(function (w) {
      var vals = archs.map(function (a) { var p = point(a, w); return p ? p[metric] : null; });
      var nums = vals.filter(function (v) { return typeof v === 'number'; });
      var min = nums.length ? Math.min.apply(null, nums) : null;
      var tr = el('tr', { 'data-workload': w }, [el('th', { scope: 'row', text: w })]);
      vals.forEach(function (v, i) {
        var isMin = v === min && nums.length > 1;
        tr.appendChild(el('td', { 'data-arch': archs[i], 'class': isMin ? 'min' : '', text: fmt(v) },
          isMin ? [el('span', { 'class': 'vh', text: ' (lowest)' })] : []));
      });
      body.appendChild(tr);
    });
    var t = el('table', { 'class': 'cmp', 'data-metric': metric }, [el('caption', { text: title }), el('thead', {}, [head]), body]);
    return el('div', { 'class': 'table-wrap', tabindex: '0', role: 'region', 'aria-label': title }, [t]);
  }
  var tb = $('tables-body');
  tb.appendChild(table('cycles', 'Cycles per call'));
  tb.appendChild(table('traps', 'Traps per call'));
  tb.appendChild(table('as_switches', 'Address-space switches per call'));

  // ---- about ----
  var md = $('meta');
  function row(k, v) { if (v != null && v !== '') { md.appendChild(el('dt', { text: k })); md.appendChild(el('dd', { text: String(v) })); } }
  row('results', meta.results);
  row('configuration', manifest ? manifest.config : results.name);
  row('machine profile', meta.machine);
  if (manifest) {
    row('osarch', manifest.osarch_version + (manifest.git_commit ? ' (' + manifest.git_commit + ')' : ''));
    row('resolved configuration hash', manifest.config_resolved_fnv1a64);
    row('seed', manifest.seed);
    row('run date', manifest.date);
  }
  row('results schema', results.schema_version);

  build();
  update();
  document.documentElement.setAttribute('data-ready', 'true');
})();
</script>
<script>
(function () {
  'use strict';
  // The comparison view: ctrace blocks keyed "arch|machine|mode|workload",
  // the domains of each architecture (id="domains", from `osarch list archs`).
  function $(id) { return document.getElementById(id); }
  // SVG's namespace, as the HTML parser gives it (no address in the source).
  var SVGNS = (function () { var d = document.createElement('div'); d.innerHTML = '<svg></svg>'; return d.firstChild.namespaceURI; })();
  function el(tag, attrs, kids) {
    var e = tag.indexOf('svg:') === 0 ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag), k;
    for (k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  var nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  function fmt(v) { return typeof v === 'number' ? nf.format(v) : '\u2013'; }
  var palette = JSON.parse(($('palette') || { textContent: '{}' }).textContent);
  function colour(a) { return palette[a] || palette[a.split(':')[0]] || palette['*'] || '#BBBBBB'; }
  var domains = JSON.parse(($('domains') || { textContent: '{}' }).textContent);
  var ct = {}, archs = [], machines = [], works = [];
  function add(list, x) { if (list.indexOf(x) < 0) list.push(x); }
  Array.prototype.forEach.call(document.querySelectorAll('script.ctrace'), function (s) {
    var k = s.getAttribute('data-key'), p = k.split('|');
    ct[k] = JSON.parse(s.textContent);
    add(archs, p[0]); add(machines, p[1]); add(works, p[3]);
  });
  if (!archs.length) return;
  var PHASES = ['entry', 'service', 'copy', 'return'];
  // A row's phase: a crossing out of the application is the entry, one
  // back into it the return; a copy row (or a crossing that runs a copy
  // operation) is the copy; every other row (work in a domain, a crossing
  // between kernel, servers and driver, a monitor trip, a fault) the service.
  function phase(s) {
    var k = s.kind || 'crossing';
    if (k === 'copy' || /(^|[ .])copy/.test(s.ran || '')) return 'copy';
    if (k !== 'crossing') return 'service';
    if (s.to === 'app') return 'return';
    if (s.from === 'app') return 'entry';
    return 'service';
  }
  function fill(sel, list, none) {
    sel.textContent = '';
    if (none) sel.appendChild(el('option', { value: '', text: '(none)' }));
    list.forEach(function (x) { sel.appendChild(el('option', { value: x, text: x })); });
  }
  var sA = [$('cmp-a1'), $('cmp-a2'), $('cmp-a3')];
  fill(sA[0], archs); fill(sA[1], archs); fill(sA[2], archs, true);
  fill($('cmp-machine'), machines); fill($('cmp-w'), works);
  // The choice: from the address (?archs=a,b&machine=&mode=&w=&row=), else a default.
  var q = {};
  (location.search || '').replace(/^\?/, '').split('&').forEach(function (kv) {
    var i = kv.indexOf('=');
    if (i > 0) q[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, ' '));
  });
  var want = (q.archs || 'monolithic,mach-multiserver,l4').split(',').filter(function (a) { return archs.indexOf(a) >= 0; }).slice(0, 3);
  if (want.length < 2) want = archs.slice(0, 2);
  var st = { archs: want, machine: machines.indexOf(q.machine) >= 0 ? q.machine : machines[0],
    mode: q.mode === 'cold' ? 'cold' : 'warm', w: works.indexOf(q.w) >= 0 ? q.w : (works.indexOf('read') >= 0 ? 'read' : works[0]),
    row: Math.max(1, parseInt(q.row, 10) || 1) };
  function toControls() {
    sA.forEach(function (s, i) { s.value = st.archs[i] || ''; });
    $('cmp-machine').value = st.machine; $('cmp-mode').value = st.mode; $('cmp-w').value = st.w;
  }
  function fromControls() {
    st.archs = sA.map(function (s) { return s.value; }).filter(function (a) { return a; });
    st.machine = $('cmp-machine').value; st.mode = $('cmp-mode').value; st.w = $('cmp-w').value;
  }
  function toAddress() {
    var s = '?archs=' + st.archs.map(encodeURIComponent).join(',') + '&machine=' + encodeURIComponent(st.machine) +
      '&mode=' + st.mode + '&w=' + encodeURIComponent(st.w) + '&row=' + st.row;
    // A shared link of the edit view (#try=...) keeps its fragment.
    var h = /^#try=/.test(location.hash) ? location.hash : '#compare';
    try { history.replaceState(null, '', s + h); } catch (e) { /* a file: page may refuse */ }
  }
  var rows = [], cols = [];
  // The aligned rows: for each phase, as many lines as the column with most
  // crossings in it; a column's crossings fill its lines in order.
  function layout(traces) {
    var out = [];
    PHASES.forEach(function (ph) {
      var per = traces.map(function (t) { return t ? (t.steps || []).filter(function (s) { return phase(s) === ph; }) : []; });
      var n = Math.max.apply(null, per.map(function (l) { return l.length; }).concat([0]));
      for (var i = 0; i < n; i++) out.push({ phase: ph, first: i === 0, cells: per.map(function (l) { return l[i] || null; }) });
    });
    return out;
  }
  // The rings diagram of one column: a band per ring used (3, 1, 0, VMX
  // root), a box per domain the call crosses, the current crossing drawn.
  function diagram(a, t) {
    var base = a.split(':')[0], doms = domains[base] || [], used = ['app'];
    function info(d) { for (var i = 0; i < doms.length; i++) if (doms[i].name === d) return doms[i]; return { name: d, ring: 3, root: false }; }
    // A message between two user tasks passes through the microkernel: the
    // first ring-0 domain (not VMX root) is drawn as the way between them.
    var k0 = null;
    doms.forEach(function (d) { if (!k0 && d.ring === 0 && !d.root) k0 = d.name; });
    (t.steps || []).forEach(function (s) {
      if (used.indexOf(s.from) < 0) used.push(s.from);
      if (used.indexOf(s.to) < 0) used.push(s.to);
      if (k0 && via(s, info) && used.indexOf(k0) < 0) used.push(k0);
    });
    var bands = [], key = function (i) { return i.root ? 'VMX root' : 'ring ' + i.ring; };
    used.forEach(function (d) { var k = key(info(d)); if (bands.indexOf(k) < 0) bands.push(k); });
    var order = ['ring 3', 'ring 2', 'ring 1', 'ring 0', 'VMX root'];
    bands.sort(function (x, y) { return order.indexOf(x) - order.indexOf(y); });
    var W = 320, BH = 40, H = bands.length * BH + 8, pos = {};
    var svg = el('svg:svg', { 'class': 'rings', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
      'aria-label': a + ': protection domains by ring, and the current crossing' });
    svg.appendChild(el('svg:defs', {}, [el('svg:marker', { id: 'ah-' + a.replace(/[^a-z0-9]/gi, '_'), viewBox: '0 0 10 10', refX: '9', refY: '5',
      markerWidth: '6', markerHeight: '6', orient: 'auto-start-reverse' }, [el('svg:path', { d: 'M0,0 L10,5 L0,10 z', fill: '#1a1a1a' })])]));
    bands.forEach(function (b, i) {
      var y = 4 + i * BH;
      svg.appendChild(el('svg:rect', { 'class': 'band', x: 2, y: y, width: W - 4, height: BH - 4, rx: 3 }));
      svg.appendChild(el('svg:text', { 'class': 'band-l', x: 6, y: y + 12, text: b }));
      var inBand = used.filter(function (d) { return key(info(d)) === b; });
      inBand.forEach(function (d, j) {
        var bw = Math.min(90, (W - 70) / inBand.length - 6), x = 62 + j * (bw + 6), by = y + 8;
        pos[d] = { x: x + bw / 2, y: by + 11, top: by, bot: by + 22 };
        var g = el('svg:g', { 'data-dom': d });
        g.appendChild(el('svg:rect', { 'class': 'dom', x: x, y: by, width: bw, height: 22, rx: 3 }));
        g.appendChild(el('svg:text', { 'class': 'dom-l', x: x + 4, y: by + 15, text: d.length > 14 ? d.slice(0, 13) + '\u2026' : d }));
        svg.appendChild(g);
      });
    });
    return { svg: svg, pos: pos, marker: 'ah-' + a.replace(/[^a-z0-9]/gi, '_'), k0: k0, info: info };
  }
  // Whether a crossing goes by way of the kernel: a trapped IPC between two
  // ring-3 domains (the message is carried by the microkernel).
  function via(s, info) {
    return s.trapped && /ipc|rpc/.test(s.transport) && info(s.from).ring === 3 && info(s.to).ring === 3;
  }
  function draw(c, s) {
    var svg = c.dia.svg;
    Array.prototype.forEach.call(svg.querySelectorAll('.hop, .hop-l'), function (n) { n.remove(); });
    Array.prototype.forEach.call(svg.querySelectorAll('.dom'), function (n) { n.classList.remove('on'); });
    if (!s) return;
    var p = c.dia.pos[s.from], r = c.dia.pos[s.to];
    if (!p || !r) return;
    var on = svg.querySelector('[data-dom="' + s.to + '"] .dom');
    if (on) on.classList.add('on');
    var y1 = p.y, y2 = r.y, d, k = c.dia.k0 && via(s, c.dia.info) ? c.dia.pos[c.dia.k0] : null;
    if (k) d = 'M' + p.x + ',' + p.bot + ' L' + k.x + ',' + k.top + ' L' + r.x + ',' + r.bot;
    else if (Math.abs(y1 - y2) < 1) d = 'M' + p.x + ',' + (p.top) + ' C' + p.x + ',' + (p.top - 14) + ' ' + r.x + ',' + (r.top - 14) + ' ' + r.x + ',' + r.top;
    else d = 'M' + p.x + ',' + (y1 < y2 ? p.bot : p.top) + ' L' + r.x + ',' + (y1 < y2 ? r.top : r.bot);
    svg.appendChild(el('svg:path', { 'class': 'hop' + (s.as_switches ? ' as' : ''), d: d, 'marker-end': 'url(#' + c.dia.marker + ')',
      'data-from': s.from, 'data-to': s.to }));
    svg.appendChild(el('svg:text', { 'class': 'hop-l', x: 6, y: svg.viewBox.baseVal.height - 4,
      text: s.from + ' \u2192 ' + s.to + (s.trapped ? ', trap' : '') + (s.as_switches ? ', new address space' : ', same address space') }));
  }
  function build() {
    var box = $('cmp-cols');
    box.textContent = '';
    var traces = st.archs.map(function (a) { return ct[a + '|' + st.machine + '|' + st.mode + '|' + st.w] || null; });
    rows = layout(traces);
    cols = [];
    st.archs.forEach(function (a, i) {
      var t = traces[i];
      var col = el('article', { 'class': 'cmp-col', 'data-arch': a, style: '--c:' + colour(a) });
      col.appendChild(el('h3', { text: a }));
      if (!t) {
        col.appendChild(el('p', { 'class': 'sum', text: 'Not available on ' + st.machine + ' (an architecture that needs VT-x, or not traced).' }));
        box.appendChild(col);
        cols.push({ arch: a, t: null, lis: [], dia: null });
        return;
      }
      function n(v, one, many) { return fmt(v) + ' ' + (v === 1 ? one : many); }
      col.appendChild(el('p', { 'class': 'sum', text: fmt(t.total.cycles) + ' cycles, ' + n(t.total.traps, 'trap', 'traps') + ', ' +
        n(t.total.as_switches, 'address-space switch', 'address-space switches') + ', ' +
        n((t.steps || []).length, 'row', 'rows') }));
      var ol = el('ol', { 'class': 'cmp-rows', 'aria-label': a + ': crossings by phase' });
      var lis = rows.map(function (r) {
        var s = r.cells[i];
        var li = el('li', { 'class': (s ? (s.trapped ? 'trapped' : '') : 'empty') + (r.first ? ' phase-start' : ''), 'data-phase': r.phase,
          'data-step': s ? s.step : '' }, [el('span', { 'class': 'ph', text: r.first ? r.phase : '' }),
          el('span', { 'class': 'r', text: s ? s.step + '. ' + (s.kind === 'work' ? 'in ' + s.to : s.from + ' \u2192 ' + s.to) + ' (' + ((s.kind || 'crossing') === 'crossing' ? s.transport : s.kind) + ')' : '\u2014' }),
          el('span', { 'class': 'cy', text: s ? fmt(s.cycles) : '' })]);
        ol.appendChild(li);
        return li;
      });
      col.appendChild(ol);
      var dia = diagram(a, t);
      col.appendChild(dia.svg);
      box.appendChild(col);
      cols.push({ arch: a, t: t, lis: lis, dia: dia });
    });
    $('cmp-desc').textContent = st.w + ' on the ' + st.machine + ' profile, ' + (st.mode === 'cold'
      ? 'the first call on a fresh machine (cold caches and TLBs)' : 'one warm call') + '; ' + rows.length + ' aligned lines.';
  }
  function update() {
    if (st.row > rows.length) st.row = rows.length;
    if (st.row < 1) st.row = rows.length ? 1 : 0;
    var r = rows[st.row - 1];
    cols.forEach(function (c, i) {
      c.lis.forEach(function (li, j) {
        li.classList.toggle('current', j === st.row - 1);
        if (j === st.row - 1) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
      });
      if (c.dia) draw(c, r ? r.cells[i] : null);
    });
    $('cmp-pos').textContent = rows.length ? 'Line ' + st.row + ' of ' + rows.length + (r ? ' (' + r.phase + ')' : '') : 'No crossings';
    $('cmp-prev').setAttribute('aria-disabled', st.row <= 1 ? 'true' : 'false');
    $('cmp-next').setAttribute('aria-disabled', st.row >= rows.length ? 'true' : 'false');
    toAddress();
  }
  toControls();
  build();
  update();
  [sA[0], sA[1], sA[2], $('cmp-machine'), $('cmp-mode'), $('cmp-w')].forEach(function (s) {
    s.addEventListener('change', function () { fromControls(); st.row = 1; build(); update(); });
  });
  $('cmp-prev').addEventListener('click', function () { if (st.row > 1) { st.row--; update(); } });
  $('cmp-next').addEventListener('click', function () { if (st.row < rows.length) { st.row++; update(); } });
  document.documentElement.setAttribute('data-compare-ready', 'true');
})();
</script>
EOF
# The edit view (id="try"): the shipped YAML the module reads, path ->
# text (the editors start from it), then the view's script
# (scripts/explorer-try.js). The module and its wrapper are loaded by that
# script from beside the page, when `make wasm` put them there.
TAB=$(printf '\t')
printf '<script type="application/json" id="sources">\n{'
first=1
# Lab 3's checker loads the architecture its lab.yaml names as the input's
# solution (docs/examples/hybrid.yaml, in every checkout) when it reads the
# lab: the module needs it too.
for f in arch/*.yaml workloads/*.yaml configs/machines/*.yaml models/*.yaml labs/3/lab.yaml labs/3/start.yaml \
	labs/3/answer-template.yaml $(sed -n 's/^ *solution: *//p' labs/3/lab.yaml); do
	[ -f "$f" ] || continue
	[ "$f" = configs/machines/host.yaml ] && continue # this machine's, from osarch calibrate: not shipped
	[ $first = 1 ] || printf ', '
	first=0
	printf '"%s": "' "$f"
	# A JSON string: backslash, quote and tab escaped, lines joined by \n;
	# "</" written "<\/" so that the block is not ended early.
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$TAB/\\\\t/g" -e 's#</#<\\/#g' "$f" |
		awk 'BEGIN { ORS = "" } { print $0 "\\n" }'
	printf '"'
done
printf '}\n</script>\n<script>\n'
cat scripts/explorer-try.js
cat <<'EOF'
</script>
</body>
</html>
EOF
} >"$tmp" || die "cannot write $tmp"
mv "$tmp" "$OUT" || die "cannot rename $tmp to $OUT"
echo "explorer: wrote $OUT ($(wc -c <"$OUT" | tr -d ' ') bytes; $(echo $ARCHS | wc -w | tr -d ' ') architectures, $n figures)"
