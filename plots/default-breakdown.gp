# input: results/default/results.csv
#
# default-breakdown.gp: where the cycles of one call of the `read` workload
# go, per architecture: stacked bars of cycles_base (instructions at the base
# CPI), cycles_imiss, cycles_dmiss, cycles_tlb and cycles_event (trap, CR3
# write and VM-exit hardware costs). The five add up to the cycles column.
# Render with scripts/plots.sh; for another workload run gnuplot by hand
# with -e "term='png'; out='x.png'; data='DIR'; wl='fork'" (DIR as prepared
# by scripts/plots.sh, see its header).

load 'plots/common.gp'
if (!exists("wl")) { wl = 'read' }

wl_j = 0
do for [j=1:nW] { if (word(workloads, j) eq wl) { wl_j = j } }
if (wl_j == 0) {
    print "default-breakdown: no '".wl."' workload in the results; no figure"
    exit status 0
}
F = data.'/wl_'.wl_j.'.dat'
set datafile columnheaders

# Components, bottom to top. Okabe-Ito colours (not the architecture
# palette: here the bars are architectures and the colours are components),
# with hatches for greyscale.
nC = 5
comp_col(k) = word("cycles_base cycles_imiss cycles_dmiss cycles_tlb cycles_event", k)
comp_label(k) = k == 1 ? "instructions" : k == 2 ? "i-cache misses" : k == 3 ? "d-cache misses" : \
                k == 4 ? "TLB refills" : "trap / switch / exit hardware"
comp_color(k) = word("#56B4E9 #E69F00 #D55E00 #009E73 #CC79A7", k)
comp_pat(k) = word("0 5 4 6 1", k) + 0
hatch = "#303030"
# Cycles of components k0..k of the current row (0 when k < k0).
cum(k0, k) = k < k0 ? 0 : sum [c=k0:k] column(comp_col(c))

set label 990 sprintf("Where the cycles of one '%s' call go, by architecture", wl)

key_n = nC
key_text(k) = comp_label(k)
key_fill(k) = comp_color(k)
key_pat(k) = comp_pat(k)
key_hatch(k) = hatch
key_y = 0.872
load 'plots/key.gp'

# Architectures on x, in CSV order; names only under the lower panel.
unset arrow
set xrange [-0.6:nA - 0.4]
ar_rotate = (nA * (ar_maxlen * char_w + 0.012) > plot_r - plot_l)
set format y "%g"
if (mhz > 0) { plot_r = 0.90 }

# Two panels: all cycles, and (expanded scale) the cycles beyond instructions.
p_top = key_bottom - 0.055
p_bot = ar_rotate ? rot_bmargin(ar_maxlen) : 0.11
p_gap = 0.085
p_h = (p_top - p_bot - p_gap) / 2
set lmargin at screen plot_l
set rmargin at screen plot_r
set ylabel "cycles per call"

bw = 0.6
# `plot @stack` draws components k0..nC of F as stacked bars with totals.
stack = "for [k=k0:nC] F using 0:(cum(k0,k)):($0-bw/2):($0+bw/2):(cum(k0,k-1)):(cum(k0,k)) with boxxyerror fc rgb comp_color(k) fs solid 1.0 border lc rgb '#333333' lw 0.5 notitle, for [k=k0:nC] F using 0:(cum(k0,k)):($0-bw/2):($0+bw/2):(cum(k0,k-1)):(cum(k0,k)) with boxxyerror fc rgb hatch fs transparent pattern comp_pat(k) noborder notitle, F using 0:(cum(k0,nC)):(sprintf('%.0f', cum(k0,nC))) with labels offset 0, 0.7 font '".font(9)."' notitle"

# panel_ymax(m): top of a panel whose tallest bar is m, with room for the totals.
panel_ymax(m) = m > 0 ? m * 1.18 : 1

set multiplot

k0 = 1
stats F using (cum(1, nC)) nooutput
ytop = panel_ymax(STATS_max)
set yrange [0:ytop]
set ytics nice_step(ytop, 4)
if (mhz > 0) {
    set y2range [0:ytop / mhz]
    set y2tics nomirror nice_step(ytop / mhz, 4)
    set format y2 "%g"
    set y2label "µs per call"
}
set tmargin at screen p_top
set bmargin at screen p_top - p_h
set xtics () nomirror scale 0
do for [i=1:nA] { set xtics add ("" i - 1) }
set label 992 "all cycles" at graph 0, graph 1.07 left font font(11) front
plot @stack

eval key_unset
unset label 990
unset label 991

k0 = 2
stats F using (cum(2, nC)) nooutput
ytop = panel_ymax(STATS_max)
set yrange [0:ytop]
set ytics nice_step(ytop, 4)
if (mhz > 0) { set y2range [0:ytop / mhz]; set y2tics nomirror nice_step(ytop / mhz, 4) }
set tmargin at screen p_bot + p_h
set bmargin at screen p_bot
set xtics () nomirror scale 0 noenhanced
do for [i=1:nA] { set xtics add (word(archs, i) i - 1) }
if (ar_rotate) { set xtics rotate by 30 right } else { set xtics norotate }
set xlabel "architecture" offset 0, (ar_rotate ? 0.5 : 0)
set label 992 "cycles beyond instructions (expanded scale)"
plot @stack

unset multiplot
