# input: results/virtualization-tlb/results.csv
#
# virtualization-tlb.gp: what a TLB miss costs under nested paging. Columns
# of panels: the workloads (pagefault, fork); rows: cycles per call (top)
# and the TLB-refill cycles of the call (bottom, cycles_tlb: the page walks,
# 1-D natively and under shadow paging, 2-D under EPT), against the entries
# of each first-level TLB (`sweep: dtlb.entries+itlb.entries`, log2 x).
# One colour per architecture (palette); solid lines without the
# second-level TLB (`stlb.present: false`), dashed with the profile's STLB.
# The application's working set between calls is fixed by the sweep
# (workload.app_ws). Render with scripts/plots.sh.

load 'plots/common.gp'

sj = 0; sjs = 0; sjw = 0
do for [t=1:nS] {
    if (word(sweeps, t) eq 'dtlb.entries+itlb.entries' || word(sweeps, t) eq 'itlb.entries+dtlb.entries') { sj = t }
    if (word(sweeps, t) eq 'stlb.present') { sjs = t }
    if (word(sweeps, t) eq 'workload.app_ws') { sjw = t }
}
if (sj == 0) {
    print "virtualization-tlb: the results do not sweep dtlb.entries+itlb.entries; no figure"
    exit status 0
}
ws_note = ""
if (sjw > 0) { ws_note = sprintf("between calls the application touches %s bytes (K = KiB)", value(sprintf("sweep_labels_%d", sjw))) }

set label 990 "The TLB-miss cost of nested paging: shadow paging (vm-hw) vs EPT (vm-hw-ept) vs native"

# Key: the architectures (solid), then the two line styles.
lkey_n = nA + (sjs > 0 ? 2 : 0)
lkey_text(i) = i <= nA ? word(archs, i) : i == nA + 1 ? "no STLB (solid)" : sprintf("%d-entry STLB (dashed)", prof_stlb_entries)
lkey_color(i) = i <= nA ? arch_color(arch_base(word(archs, i))) : "#666666"
lkey_pt(i) = i <= nA ? arch_pt(arch_base(word(archs, i))) : 0
lkey_dt(i) = i == nA + 2 ? 2 : 1
lkey_y = 0.872
unset arrow
eval lkey_draw

set logscale x 2
set logscale y 10
set mytics 10
set grid xtics ytics mytics lc rgb "#D8D8D8" lw 0.6, lc rgb "#EEEEEE" lw 0.4 back
set xtics () nomirror scale 0.6 out
F1 = data.'/sw_cycles_1.dat'
set autoscale xy
stats F1 using (column(sj)) nooutput
x_lo = STATS_min; x_hi = STATS_max
# The x tics: powers of two, labelled under the lower row only.
xt = ""
do for [e=0:20] { v = 2 ** e; if (v >= x_lo && v <= x_hi) { xt = xt . sprintf(" %d", v) } }

nM = 2
metric(k) = word("cycles cycles_tlb", k)
metric_ylab(k) = k == 1 ? "cycles per call" : "TLB-refill cycles per call"
# Rows of the sweep with the STLB present (s = 1) or not (s = 0); with no
# stlb.present in the sweep, every row is drawn solid.
pick(s, c) = sjs == 0 ? (s == 0 ? column(c) : NaN) : (column(sjs) == s ? column(c) : NaN)
pos(v) = v > 0 ? v : NaN

p_top = lkey_bottom - 0.075
p_bot = 0.12
p_gap = 0.085
p_h = (p_top - p_bot - p_gap) / 2
gap = 0.09

# One x label for both columns, with the working-set note.
set label 994 "entries of each first-level TLB, ITLB and DTLB (log scale)".(ws_note ne "" ? "; ".ws_note : "") \
    at screen (plot_l + plot_r) / 2, 0.035 center noenhanced front
set multiplot
do for [k=1:nM] {
    do for [j=1:nW] {
        F = data.'/sw_'.metric(k).'_'.j.'.dat'
        set autoscale xy
        ymin = 1e30; ymax = 0
        do for [i=1:nA] {
            stats F using (pos(column(nS + i))) nooutput
            nrec = exists("STATS_records") ? STATS_records : 0
            if (nrec > 0 && STATS_min < ymin) { ymin = STATS_min }
            if (nrec > 0 && STATS_max > ymax) { ymax = STATS_max }
        }
        if (ymax <= 0) { ymin = 1; ymax = 10 }
        ylo = 10 ** floor(log10(ymin))
        yhi = 10 ** ceil(log10(ymax * 1.05))
        # (A little beyond the decades: gnuplot drops a listed tic that lies
        # exactly on the end of a log axis.)
        set yrange [ylo * 0.97 : yhi * 1.03]
        # Labelled tics at 1, 2 and 5 per decade when the range is short.
        set ytics ()
        do for [e=-1:8] { do for [m in "1 2 5"] { v = (m + 0) * 10.0 ** e; \
            if (v >= ylo * 0.999 && v <= yhi * 1.001 && (m eq "1" || yhi / ylo <= 100)) { set ytics add (gprintf(ymax >= 1e5 ? "%.0s%c" : "%g", v) v) } } }
        set xrange [x_lo / 1.2 : x_hi * 1.2]
        set tmargin at screen p_top - (k - 1) * (p_h + p_gap)
        set bmargin at screen p_top - (k - 1) * (p_h + p_gap) - p_h
        set lmargin at screen col_l(j, nW, gap)
        set rmargin at screen col_r(j, nW, gap)
        set xtics ()
        do for [v in xt] { set xtics add ((k == nM ? v : "") v + 0) }
        unset xlabel
        set ylabel metric_ylab(k)
        set label 992 sprintf("%s: %s", word(workloads, j), k == 1 ? "cycles of the call" : "TLB refills (page walks) of the call") \
            at graph 0, graph 1.07 left font font(10) noenhanced front
        plot for [i=1:nA] F using (column(sj)):(pos(pick(0, nS + i))) with linespoints \
                lc rgb arch_color(arch_base(word(archs, i))) pt arch_pt(arch_base(word(archs, i))) ps 0.8 * ps_scale lw 1.6 dt 1 notitle, \
             for [i=1:nA] F using (column(sj)):(pos(pick(1, nS + i))) with linespoints \
                lc rgb arch_color(arch_base(word(archs, i))) pt arch_pt(arch_base(word(archs, i))) ps 0.6 * ps_scale lw 1.3 dt 2 notitle
        if (k == 1 && j == 1) { unset label 990; unset label 991; eval lkey_unset }

    }
}
unset multiplot
