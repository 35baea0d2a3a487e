# input: results/interference/results.csv
#
# interference.gp: the application touches a working set of app_ws bytes
# between two calls (`sweep: workload.app_ws`). One row of panels per
# workload; the columns: cycles per call of the kernel path (left), and the
# application's own L1 misses (middle, app_l1_misses) and last-level-cache
# misses (right, app_llc_misses) per call, i.e. in the application's work
# between two calls. Chen & Bershad (SOSP'93): a large kernel footprint
# evicts the application's lines, so the application misses more too.
# One line per architecture (palette colour and point type); the working
# sets are equally spaced on x (0, then powers of 4); log y, so a zero
# (no miss) is not drawn. Render with scripts/plots.sh.

load 'plots/common.gp'

sj = 0
do for [t=1:nS] { if (word(sweeps, t) eq 'workload.app_ws') { sj = t } }
if (sj == 0) {
    print "interference: the results do not sweep workload.app_ws; no figure"
    exit status 0
}
nL = words(sweep_labels_1)

set label 990 "Kernel footprint against the application's working set: the kernel's cycles and the application's misses"

unset arrow
lkey_n = nA
lkey_text(i) = word(archs, i)
lkey_color(i) = arch_color(arch_base(word(archs, i)))
lkey_pt(i) = arch_pt(arch_base(word(archs, i)))
lkey_dt(i) = 1
lkey_y = 0.872
eval lkey_draw

set xrange [-0.3:nP - 0.7]
set logscale y 10
set format y "%g"
set mytics 10
set grid xtics ytics mytics lc rgb "#D8D8D8" lw 0.6, lc rgb "#EEEEEE" lw 0.4 back
set xtics () nomirror scale 0.6 out noenhanced

nM = 3
metric(k) = word("cycles app_l1_misses app_llc_misses", k)
metric_title(k) = k == 1 ? "cycles of the call" : k == 2 ? "application's L1 misses" : "application's LLC misses"
metric_ylab(k) = k == 1 ? "cycles per call" : "misses per call"

p_top = lkey_bottom - 0.075
p_bot = 0.14
p_gap = 0.085
p_h = (p_top - p_bot - (nW - 1) * p_gap) / nW
gap = 0.1

set label 994 "log y: a count of zero has no point" at screen plot_r, lkey_bottom - 0.02 right font font(8) tc rgb "#555555" front
set multiplot
do for [j=1:nW] {
    do for [k=1:nM] {
        F = data.'/sw_'.metric(k).'_'.j.'.dat'
        # stats filters by the current ranges: free them first.
        set autoscale xy
        ymin = 1e30; ymax = 0
        do for [i=1:nA] {
            stats F using (column(nS + i) > 0 ? column(nS + i) : NaN) nooutput
            nrec = exists("STATS_records") ? STATS_records : 0
            if (nrec > 0 && STATS_min < ymin) { ymin = STATS_min }
            if (nrec > 0 && STATS_max > ymax) { ymax = STATS_max }
        }
        if (ymax <= 0) { ymin = 1; ymax = 10 }
        ylo = 10 ** floor(log10(ymin))
        yhi = 10 ** ceil(log10(ymax * 1.05))
        if (yhi / ylo < 100) { ylo = ylo / 10.0 }
        set yrange [ylo:yhi]
        set xrange [-0.3:nP - 0.7]
        set tmargin at screen p_top - (j - 1) * (p_h + p_gap)
        set bmargin at screen p_top - (j - 1) * (p_h + p_gap) - p_h
        set lmargin at screen col_l(k, nM, gap)
        set rmargin at screen col_r(k, nM, gap)
        set xtics ()
        do for [p=1:nL] { set xtics add ((j == nW ? word(sweep_labels_1, p) : "") p - 1) }
        if (j == nW && k == 2) {
            set xlabel "application working set touched between calls (bytes; K = KiB, M = MiB)"
        } else { unset xlabel }
        set ylabel metric_ylab(k)
        set label 992 sprintf("%s: %s", word(workloads, j), metric_title(k)) at graph 0, graph 1.07 left font font(10) noenhanced front
        plot for [i=1:nA] F using 0:(column(nS + i) > 0 ? column(nS + i) : NaN) with linespoints \
            lc rgb arch_color(arch_base(word(archs, i))) pt arch_pt(arch_base(word(archs, i))) ps 0.8 * ps_scale lw 1.5 notitle
        if (j == 1 && k == 1) { unset label 990; unset label 991; unset label 994; eval lkey_unset }

    }
}
unset multiplot
