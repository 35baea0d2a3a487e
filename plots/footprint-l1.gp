# input: results/footprint-sweep/results.csv
#
# footprint-l1.gp: cycles per call against the size of the L1 caches (I and D
# grown together, `sweep: l1i.size+l1d.size`), one panel per workload, one
# line per architecture (palette colour and point type), log2 x, log y.
# A path whose cache footprint exceeds the L1 is memory-bound: its cycles
# fall steeply once it fits; a small path (L4's IPC, the exokernel's library
# calls) is CPU-bound and stays flat. The dashed rule marks the profile's
# own L1 size.
#
# plots/footprint-l2.gp loads this script with fp_level = 'l2' for the L2
# sweep. Render with scripts/plots.sh.

load 'plots/common.gp'
if (!exists("fp_level")) { fp_level = 'l1' }

fp_param = fp_level eq 'l1' ? 'l1i.size+l1d.size' : 'l2.size'
sj = 0
do for [t=1:nS] { if (word(sweeps, t) eq fp_param) { sj = t } }
if (sj == 0) {
    print "footprint-".fp_level.": the results do not sweep ".fp_param."; no figure"
    exit status 0
}
own = fp_level eq 'l1' ? prof_l1d_size : prof_l2_size
own_note = fp_level eq 'l1' ? sprintf("%s's L1", machine) : sprintf("%s's L2", machine)

if (fp_level eq 'l1') {
    set label 990 "Cycles per call against the L1 cache size: memory-bound and CPU-bound paths"
    xlab = "L1 size (KiB, I and D each)"
} else {
    set label 990 "Cycles per call against the L2 cache size: memory-bound and CPU-bound paths"
    xlab = sprintf("L2 size (KiB; %s, %d-byte lines)", prof_l2_assoc == 1 ? "direct-mapped" : sprintf("%d-way", prof_l2_assoc), prof_l2_line)
}

unset arrow
unset xtics
set logscale x 2
set logscale y 10
set format y "%g"
set mytics 10
set grid xtics ytics mytics lc rgb "#D8D8D8" lw 0.6, lc rgb "#EEEEEE" lw 0.4 back
set xtics nomirror scale 0.6 out
nL = words(sweep_labels_1)
x_lo = 1e30; x_hi = 0
# The x tics: the swept sizes, in KiB.
F1 = data.'/sw_cycles_1.dat'
set autoscale x
stats F1 using (column(sj)/1024.0) nooutput
x_lo = STATS_min; x_hi = STATS_max
set xrange [x_lo / 1.25 : x_hi * 1.25]
set xtics ()
x_rot = 0
do for [e=0:30] { v = 2.0 ** (e - 10); if (v >= x_lo && v <= x_hi) { set xtics add (sprintf("%g", v) v); if (v >= 1000) { x_rot = 1 } } }
# Four-digit labels collide in a third of the width: turn them.
if (x_rot) { set xtics rotate by 45 right offset 0.5, 0 }

lkey_n = nA
lkey_text(i) = word(archs, i)
lkey_color(i) = arch_color(arch_base(word(archs, i)))
lkey_pt(i) = arch_pt(arch_base(word(archs, i)))
lkey_dt(i) = 1
lkey_y = 0.872
eval lkey_draw
set multiplot

p_top = lkey_bottom - 0.07
p_bot = 0.15
gap = 0.07
set tmargin at screen p_top
set bmargin at screen p_bot
do for [j=1:nW] {
    F = data.'/sw_cycles_'.j.'.dat'
    # stats filters by the current ranges: free them first.
    set autoscale xy
    ymin = 1e30; ymax = 0
    do for [i=1:nA] {
        stats F using (column(nS + i)) nooutput
        if (STATS_min > 0 && STATS_min < ymin) { ymin = STATS_min }
        if (STATS_max > ymax) { ymax = STATS_max }
    }
    ylo = 10 ** floor(log10(ymin))
    yhi = 10 ** ceil(log10(ymax * 1.05))
    set yrange [ylo:yhi]
    set xrange [x_lo / 1.25 : x_hi * 1.25]
    set lmargin at screen col_l(j, nW, gap)
    set rmargin at screen col_r(j, nW, gap)
    if (j == 1) { set ylabel "cycles per call (log scale)" } else { unset ylabel }
    if (j == (nW + 1) / 2) { set xlabel xlab offset 0, (x_rot ? -0.4 : 0) } else { unset xlabel }
    set label 992 word(workloads, j) at graph 0, graph 1.05 left font font(11) noenhanced front
    set arrow 1 from own/1024.0, graph 0 to own/1024.0, graph 1 nohead dt 2 lc rgb "#777777" lw 1 back
    set label 993 own_note at own/1024.0, graph 0.98 left offset 0.4, 0 font font(8) tc rgb "#555555" noenhanced front
    plot for [i=1:nA] F using (column(sj)/1024.0):(column(nS + i)) with linespoints \
        lc rgb arch_color(arch_base(word(archs, i))) pt arch_pt(arch_base(word(archs, i))) ps 0.9 * ps_scale lw 1.6 \
        notitle
    if (j == 1) { unset label 990; unset label 991; eval lkey_unset }
}
unset multiplot
