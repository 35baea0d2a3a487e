# common.gp: what every figure script shares. (Library: no "# input:" line.)
#
# Expects, from `gnuplot -e` (scripts/plots.sh sets them):
#   term  'png' or 'svg' (default 'png')
#   out   the output file
#   data  the directory scripts/plots.sh prepared from the input CSV
# Loads data/meta.gp (archs, workloads, machine, ...) and plots/palette.gp,
# sets the one terminal setting for each format, and defines layout helpers.
# Paths are relative to the repository root, where scripts/plots.sh runs.

if (!exists("data") || !exists("out")) {
    exit error "run through scripts/plots.sh, or pass -e \"term='png'; out='FILE'; data='DIR'\""
}
if (!exists("term")) { term = 'png' }

load data.'/meta.gp'
load 'plots/palette.gp'

set encoding utf8
# The svg terminal draws a font of size n smaller than pngcairo does; scale it
# so both formats look alike. font(n) gives the font spec for size n.
fscale = term eq 'svg' ? 1.25 : 1
font(n) = sprintf("sans,%g", n * fscale)
if (term eq 'png') {
    set terminal pngcairo size 900,540 enhanced font "sans,10"
} else {
    if (term eq 'svg') {
        set terminal svg size 900,540 dynamic enhanced font font(10)
    } else {
        exit error "term must be 'png' or 'svg', not '".term."'"
    }
}
set output out

# Layout, in screen fractions of the 900x540 canvas.
char_w = 0.0074          # width of one 10-point character
plot_l = 0.095           # left edge of the plot area
plot_r = 0.975           # right edge (less when there is a second y axis)
title_y = 0.965          # first title line; a second line sits below it
nA = words(archs)
nW = words(workloads)

# Title (two lines: what, and on which machine) as labels so that every
# figure, multiplot or not, puts it at the same place.
machine_line = "machine ".machine.(machine_desc ne "" ? ": ".machine_desc : \
               (mhz > 0 ? sprintf(", %g MHz", mhz) : "")).", config ".config
set label 990 at screen 0.5, title_y center font font(12) noenhanced front
set label 991 machine_line at screen 0.5, title_y - 0.035 center noenhanced front
# A figure sets its own first line with: set label 990 "..."

# Longest workload and architecture name, in characters.
wl_maxlen = 0
do for [j=1:nW] { wl_maxlen = strlen(word(workloads, j)) > wl_maxlen ? strlen(word(workloads, j)) : wl_maxlen }
ar_maxlen = 0
do for [i=1:nA] { ar_maxlen = strlen(word(archs, i)) > ar_maxlen ? strlen(word(archs, i)) : ar_maxlen }

# Clustered bars: x = workload index (0-based) plus an offset per architecture.
bar_w = 0.8 / nA
bar_x(j0, i) = j0 + (i - (nA + 1) / 2.0) * bar_w

# Workload names as x tics, rotated when they would not fit side by side.
set xtics () nomirror scale 0 noenhanced
do for [j=1:nW] { set xtics add (word(workloads, j) j - 1) }
set xrange [-0.5:nW - 0.5]
wl_rotate = (nW * (wl_maxlen * char_w + 0.012) > plot_r - plot_l)
if (wl_rotate) { set xtics rotate by 30 right }
# Bottom margin that leaves room for n-character tic labels rotated by 30
# degrees, and the x label under them.
rot_bmargin(n) = 0.08 + n * char_w * 900.0 / 540 * 0.5
wl_bmargin = wl_rotate ? rot_bmargin(wl_maxlen) : 0.11

# Light vertical rules between the workload groups.
do for [j=1:nW-1] { set arrow 900+j from j - 0.5, graph 0 to j - 0.5, graph 1 nohead lc rgb "#E4E4E4" lw 0.8 back }

# A 1-2-5 tic step giving at most n intervals up to m (m > 0).
nice_p(m, n) = 10 ** floor(log10(m / n))
nice_step(m, n) = m / n <= nice_p(m, n) ? nice_p(m, n) : m / n <= 2 * nice_p(m, n) ? 2 * nice_p(m, n) : \
                  m / n <= 5 * nice_p(m, n) ? 5 * nice_p(m, n) : 10 * nice_p(m, n)

set border 3 front lw 0.8
set ytics nomirror
set grid ytics lc rgb "#D8D8D8" lw 0.6 back
unset key

# `plot @bars` draws the clustered bars of file F from bars_base up: a solid
# bar in the architecture colour, then its hatch over it.
bars = "for [i=1:nA] F using (bar_x($0,i)):(column(i+1)):(bar_x($0,i)-bar_w/2):(bar_x($0,i)+bar_w/2):(bars_base):(column(i+1)) with boxxyerror fc rgb arch_color(word(archs,i)) fs solid 1.0 border lc rgb '#333333' lw 0.5 notitle, for [i=1:nA] F using (bar_x($0,i)):(column(i+1)):(bar_x($0,i)-bar_w/2):(bar_x($0,i)+bar_w/2):(bars_base):(column(i+1)) with boxxyerror fc rgb arch_hatch(word(archs,i)) fs transparent pattern arch_pattern(word(archs,i)) noborder notitle"

# ---- Helpers for the experiment figures (read-trap-count, footprint-*,
# interference, virtualization*, tlb-tagging). Additive: nothing above
# depends on them.

# arch_base(a): the architecture without its options, so that a variant
# such as "l4-multiserver:spaces=small" takes the look of l4-multiserver
# from palette.gp (the figure tells variants apart by position or label).
arch_base(a) = strstrt(a, ":") > 0 ? a[1:strstrt(a, ":") - 1] : a

# Panel k of n side by side between plot_l and plot_r with gaps of g:
# its left and right screen edges.
col_l(k, n, g) = plot_l + (k - 1) * ((plot_r - plot_l - (n - 1) * g) / n + g)
col_r(k, n, g) = col_l(k, n, g) + (plot_r - plot_l - (n - 1) * g) / n

# A legend of line-and-point samples (for line figures), laid out like
# key.gp: entries flow left to right, wrap when the width runs out, each row
# centred. Before `eval lkey_draw` define:
#   lkey_n           number of entries
#   lkey_text(i)     label of entry i
#   lkey_color(i)    line and point colour ("#RRGGBB")
#   lkey_pt(i)       point type (0 = no point)
#   lkey_dt(i)       1 = solid, anything else = dashed (drawn as three
#                    strokes: the svg terminal ignores dash types on arrows)
#   lkey_y           screen y of the centre of the first row
# Sets lkey_bottom (screen y of the lower edge of the last row). Uses arrow
# tags 3000+i, 3300+i, 3600+i and label tags 3000+i, 3200+i; `eval lkey_unset` removes them.
lkey_draw = "lkey_sw = 0.04; lkey_gap = 0.007; lkey_sep = 0.026; lkey_row = 0.045; lkey_width = 0.94; lkey_l = 0.03; " . \
    "array lkey_x[lkey_n]; array lkey_r[lkey_n]; array lkey_rw[lkey_n]; lkey_rows = 1; lkey_pos = 0; " . \
    "do for [i=1:lkey_n] { lkey_ew = lkey_sw + lkey_gap + strlen(lkey_text(i)) * char_w; " . \
    "  if (lkey_pos > 0 && lkey_pos + lkey_ew > lkey_width) { lkey_rows = lkey_rows + 1; lkey_pos = 0 }; " . \
    "  lkey_x[i] = lkey_pos; lkey_r[i] = lkey_rows; lkey_pos = lkey_pos + lkey_ew + lkey_sep; lkey_rw[lkey_rows] = lkey_pos - lkey_sep }; " . \
    "do for [i=1:lkey_n] { lkey_x0 = lkey_l + (lkey_width - lkey_rw[lkey_r[i]]) / 2 + lkey_x[i]; lkey_y0 = lkey_y - (lkey_r[i] - 1) * lkey_row; " . \
    "  if (lkey_dt(i) == 1) { set arrow 3000+i from screen lkey_x0, lkey_y0 to screen lkey_x0 + lkey_sw, lkey_y0 nohead lc rgb lkey_color(i) lw 1.6 front } " . \
    "  else { do for [d=0:2] { set arrow 3000+i+300*d from screen lkey_x0 + d * 0.4 * lkey_sw, lkey_y0 to screen lkey_x0 + (d * 0.4 + 0.2) * lkey_sw, lkey_y0 nohead lc rgb lkey_color(i) lw 1.6 front } }; " . \
    "  if (lkey_pt(i) > 0) { set label 3200+i '' at screen lkey_x0 + lkey_sw / 2, lkey_y0 point pt lkey_pt(i) ps 0.9 * ps_scale lc rgb lkey_color(i) front }; " . \
    "  set label 3000+i lkey_text(i) at screen lkey_x0 + lkey_sw + lkey_gap, lkey_y0 left noenhanced front }; " . \
    "lkey_bottom = lkey_y - (lkey_rows - 1) * lkey_row - 0.017"
lkey_unset = "do for [i=1:lkey_n] { unset arrow 3000+i; unset arrow 3300+i; unset arrow 3600+i; unset label 3000+i; unset label 3200+i }"

# Point size factor: the svg terminal draws points larger than pngcairo.
ps_scale = term eq 'svg' ? 0.65 : 1.0
