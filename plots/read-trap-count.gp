# input: results/read-trap-count/results.csv
#
# read-trap-count.gp: the lecture's read() example under every architecture.
# One stacked bar per architecture of where the cycles of one call go
# (cycles_base = instructions, cycles_imiss, cycles_dmiss, cycles_tlb,
# cycles_event = trap / CR3-write / VM-exit hardware), for read-disk (top
# panel: the page cache misses, the driver runs and the disk interrupts) and
# read (bottom panel: a page-cache hit). Above each bar: the traps and the
# address-space switches of one call. The disk's own wait (io_wait_usec) is
# not in the cycles. Render with scripts/plots.sh.

load 'plots/common.gp'

# Components, bottom to top; the same colours and hatches as
# default-breakdown.gp (Okabe-Ito: here the colours are components).
nC = 5
comp_col(k) = word("cycles_base cycles_imiss cycles_dmiss cycles_tlb cycles_event", k)
comp_label(k) = k == 1 ? "instructions" : k == 2 ? "i-cache misses" : k == 3 ? "d-cache misses" : \
                k == 4 ? "TLB refills" : "trap / switch / exit hardware"
comp_color(k) = word("#56B4E9 #E69F00 #D55E00 #009E73 #CC79A7", k)
comp_pat(k) = word("0 5 4 6 1", k) + 0
hatch = "#303030"
cum(k) = sum [c=1:k] column(comp_col(c))

# The panels: read-disk on top, read below (either may be missing).
wl_top = 0; wl_bot = 0
do for [j=1:nW] {
    if (word(workloads, j) eq 'read-disk') { wl_top = j }
    if (word(workloads, j) eq 'read') { wl_bot = j }
}
if (wl_top == 0 && wl_bot == 0) {
    print "read-trap-count: no 'read' or 'read-disk' workload in the results; no figure"
    exit status 0
}

set label 990 "The read() example: where the cycles of one call go, with its traps and address-space switches"

key_n = nC
key_text(k) = comp_label(k)
key_fill(k) = comp_color(k)
key_pat(k) = comp_pat(k)
key_hatch(k) = hatch
key_y = 0.872
load 'plots/key.gp'

unset arrow
set xrange [-0.6:nA - 0.4]
ar_rotate = (nA * (ar_maxlen * char_w + 0.012) > plot_r - plot_l)
set format y "%g"
if (mhz > 0) { plot_r = 0.90 }
set lmargin at screen plot_l
set rmargin at screen plot_r
set ylabel "cycles per call"
set datafile columnheaders

np = (wl_top > 0) + (wl_bot > 0)
p_top = key_bottom - 0.06
p_bot = ar_rotate ? rot_bmargin(ar_maxlen) - 0.02 : 0.11
p_gap = 0.075
p_h = (p_top - p_bot - (np - 1) * p_gap) / np

bw = 0.6
# The note over a bar: "N traps", "M AS" and, for guests, VM exits or
# hypercalls (on top), one per line; always three lines, so that every
# note sits at the same height over its bar.
plural(n, w) = sprintf("%g %s%s", n, w, n == 1 ? "" : "s")
callnote(t, a, x, h) = (x > 0 ? plural(x, "VM exit") : h > 0 ? plural(h, "hypercall") : " "). \
    "\n".plural(t, "trap")."\n".sprintf("%g AS", a)
# Stacked bars of F, then the note of callnote() over each bar.
stack = "for [k=1:nC] F using 0:(cum(k)):($0-bw/2):($0+bw/2):(cum(k-1)):(cum(k)) with boxxyerror fc rgb comp_color(k) fs solid 1.0 border lc rgb '#333333' lw 0.5 notitle, for [k=1:nC] F using 0:(cum(k)):($0-bw/2):($0+bw/2):(cum(k-1)):(cum(k)) with boxxyerror fc rgb hatch fs transparent pattern comp_pat(k) noborder notitle, F using 0:(cum(nC)):(callnote(column('traps'), column('as_switches'), column('vm_exits'), column('hypercalls'))) with labels offset 0, 2.4 font '".font(8)."' notitle"

set multiplot
panel = 0
do for [wj in sprintf("%d %d", wl_top, wl_bot)] {
    j = wj + 0
    if (j > 0) {
        panel = panel + 1
        F = data.'/wl_'.j.'.dat'
        set autoscale y    # stats filters by the current ranges
        stats F using (cum(nC)) nooutput
        ytop = STATS_max > 0 ? STATS_max * 1.5 : 1
        stats F using 'io_wait_usec' nooutput
        io = STATS_max
        set yrange [0:ytop]
        set ytics nice_step(ytop, 4)
        if (mhz > 0) {
            set y2range [0:ytop / mhz]
            set y2tics nomirror nice_step(ytop / mhz, 4)
            set format y2 "%g"
            set y2label "µs per call"
        }
        set tmargin at screen p_top - (panel - 1) * (p_h + p_gap)
        set bmargin at screen p_top - (panel - 1) * (p_h + p_gap) - p_h
        set xtics () nomirror scale 0 noenhanced
        last = (panel == np)
        do for [i=1:nA] { set xtics add ((last ? word(archs, i) : "") i - 1) }
        if (last && ar_rotate) { set xtics rotate by 30 right } else { set xtics norotate }
        if (last) { set xlabel "architecture" offset 0, (ar_rotate ? 1.2 : 0) } else { unset xlabel }
        set label 992 sprintf("%s%s", word(workloads, j), \
            word(workloads, j) eq 'read-disk' ? sprintf(" (4 KiB from the disk; the %g µs device wait is not in the cycles)", io) : \
            word(workloads, j) eq 'read' ? " (4 KiB from the page cache)" : "") \
            at graph 0, graph 1.07 left font font(11) noenhanced front
        plot @stack
        if (panel == 1) { eval key_unset; unset label 990; unset label 991 }
    }
}
unset multiplot
