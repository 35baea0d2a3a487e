# input: results/default/results.csv
#
# default-breakdown.gp: where the cycles of one call of the `read` workload
# go, per architecture: stacked bars of cycles_base (instructions at the base
# CPI), cycles_imiss, cycles_dmiss, cycles_tlb and cycles_event (trap, CR3
# write and VM-exit hardware costs). The five add up to the cycles column.
# Another workload: gnuplot -e "...; wl='fork'". Render with scripts/plots.sh.

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
# with light hatches for greyscale.
nC = 5
comp_col(k) = word("cycles_base cycles_imiss cycles_dmiss cycles_tlb cycles_event", k)
comp_label(k) = k == 1 ? "instructions" : k == 2 ? "i-cache misses" : k == 3 ? "d-cache misses" : \
                k == 4 ? "TLB refills" : "trap / switch / exit hardware"
comp_color(k) = word("#56B4E9 #E69F00 #D55E00 #009E73 #CC79A7", k)
comp_pat(k) = word("0 5 4 1 2", k) + 0
# Cycles of components 1..k of the current row.
cum(k) = k < 1 ? 0 : sum [c=1:k] column(comp_col(c))

set label 990 sprintf("Where the cycles of one '%s' call go, by architecture", wl)

key_n = nC
key_text(k) = comp_label(k)
key_fill(k) = comp_color(k)
key_pat(k) = comp_pat(k)
key_hatch(k) = "#000000"
key_y = 0.872
load 'plots/key.gp'

# Architectures on x, in CSV order.
set xtics () nomirror scale 0 noenhanced
do for [i=1:nA] { set xtics add (word(archs, i) i - 1) }
set xrange [-0.6:nA - 0.4]
ar_rotate = (nA * (ar_maxlen * char_w + 0.012) > plot_r - plot_l)
if (ar_rotate) { set xtics rotate by 30 right } else { set xtics norotate }
set xlabel "architecture" offset 0, (ar_rotate ? 0.5 : 0)

# Headroom above the tallest bar for its total.
stats F using (cum(nC)) nooutput
ytop = STATS_max > 0 ? STATS_max * 1.12 : 1
set yrange [0:ytop]
set ylabel "cycles per call"
set format y "%g"
if (mhz > 0) {
    plot_r = 0.90
    set y2range [0:ytop / mhz]
    set y2tics nomirror
    set format y2 "%g"
    set y2label sprintf("µs per call at %g MHz", mhz)
}

set lmargin at screen plot_l
set rmargin at screen plot_r
set tmargin at screen key_bottom - 0.04
set bmargin at screen (ar_rotate ? 0.2 : 0.11)

bw = 0.6
plot for [k=1:nC] F using 0:(cum(k)):($0 - bw/2):($0 + bw/2):(cum(k-1)):(cum(k)) \
         with boxxyerror fc rgb comp_color(k) fs solid 1.0 border lc rgb "#333333" lw 0.5 notitle, \
     for [k=1:nC] F using 0:(cum(k)):($0 - bw/2):($0 + bw/2):(cum(k-1)):(cum(k)) \
         with boxxyerror fc rgb "#000000" fs transparent pattern comp_pat(k) noborder notitle, \
     F using 0:(cum(nC)):(sprintf("%.0f", cum(nC))) with labels offset 0, 0.7 font "sans,9" notitle
