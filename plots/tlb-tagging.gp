# input: results/tlb-tagging/results.csv
#
# tlb-tagging.gp: untagged against tagged TLBs (`sweep: pcid`,
# `sweep: global_pages`). Columns of panels: the workloads; rows: cycles per
# call (top; over each group the change from untagged to fully tagged)
# and TLB misses per call (bottom: itlb_misses +
# dtlb_misses, the derived column tlb_misses of scripts/plots.sh). One group
# of bars per architecture, in its palette colour; inside a group one bar per
# sweep point in CSV order, from dark to light: untagged, global pages only,
# PCID only, both. With untagged TLBs each address-space switch flushes the
# TLB (and, without global pages, the kernel's entries with it).
# Render with scripts/plots.sh.

load 'plots/common.gp'

sp = 0; sg = 0
do for [t=1:nS] {
    if (word(sweeps, t) eq 'pcid') { sp = t }
    if (word(sweeps, t) eq 'global_pages') { sg = t }
}
if (sp == 0 && sg == 0) {
    print "tlb-tagging: the results sweep neither pcid nor global_pages; no figure"
    exit status 0
}

set label 990 "Tagged TLBs: untagged vs global pages vs PCID, by architecture"

# The sweep points (rows of the sw_ files) and their names.
F1 = data.'/sw_cycles_1.dat'
array cfg_name[nP]
set autoscale xy
do for [c=1:nP] {
    stats F1 every ::c-1::c-1 using (sp > 0 ? column(sp) : 0) nooutput
    p_on = STATS_max
    stats F1 every ::c-1::c-1 using (sg > 0 ? column(sg) : 0) nooutput
    g_on = STATS_max
    cfg_name[c] = (p_on > 0 && g_on > 0) ? "PCID + global pages" : p_on > 0 ? "PCID" : g_on > 0 ? "global pages" : "untagged"
}
# Fill opacity of the c-th sweep point: dark (untagged) to light.
cfg_alpha(c) = nP > 1 ? 1.0 - 0.8 * (c - 1) / (nP - 1) : 1.0

# Two keys: the architectures (colour), then the sweep points (lightness).
key_n = nA
key_text(i) = word(archs, i)
key_fill(i) = arch_color(arch_base(word(archs, i)))
key_pat(i) = 0
key_hatch(i) = "#000000"
key_y = 0.885
load 'plots/key.gp'
ck_y = key_bottom - 0.035
ck_x = 0.5 - (nP * (0.03 + 0.007 + 0.024) + 0.024 * 0 + 20 * char_w * nP) / 2
do for [c=1:nP] {
    set object 1500+c rect from screen ck_x, ck_y - 0.017 to screen ck_x + 0.03, ck_y + 0.017 \
        fc rgb "#444444" fs transparent solid cfg_alpha(c) border lc rgb "#444444" lw 0.8 front
    set label 1500+c cfg_name[c] at screen ck_x + 0.037, ck_y left noenhanced front
    ck_x = ck_x + 0.037 + (strlen(cfg_name[c]) + 3) * char_w + 0.02
}

# Bars: group i (architecture) at x = i - 1, sweep point c inside it.
cb_w = 0.84 / nP
cb_x(i, c) = i - 1 + (c - (nP + 1) / 2.0) * cb_w
bars_of = "for [i=1:nA] for [c=1:nP] F every ::c-1::c-1 using (cb_x(i,c)):(pos(column(nS+i))):(cb_x(i,c)-cb_w/2):(cb_x(i,c)+cb_w/2):(bars_base):(pos(column(nS+i))) with boxxyerror fc rgb arch_color(arch_base(word(archs,i))) fs transparent solid cfg_alpha(c) border lc rgb arch_color(arch_base(word(archs,i))) lw 0.8 notitle"
pos(v) = v

unset arrow
set xrange [-0.55:nA - 0.45]
set xtics () nomirror scale 0 noenhanced
set grid ytics lc rgb "#D8D8D8" lw 0.6 back
do for [i=1:nA-1] { set arrow 900+i from i - 0.5, graph 0 to i - 0.5, graph 1 nohead lc rgb "#E4E4E4" lw 0.8 back }

ar_rot_b = 0.08 + ar_maxlen * char_w * 900.0 / 540 * 0.64
p_top = ck_y - 0.07
p_bot = ar_rot_b
p_gap = 0.075
p_h = (p_top - p_bot - p_gap) / 2
gap = 0.07

nM = 2
metric(k) = word("cycles tlb_misses", k)
set multiplot
do for [k=1:nM] {
    do for [j=1:nW] {
        F = data.'/sw_'.metric(k).'_'.j.'.dat'
        set autoscale xy
        ymin = 1e30; ymax = 0
        do for [i=1:nA] {
            stats F using (column(nS + i)) nooutput
            nrec = exists("STATS_records") ? STATS_records : 0
            if (nrec > 0 && STATS_min > 0 && STATS_min < ymin) { ymin = STATS_min }
            if (nrec > 0 && STATS_max > ymax) { ymax = STATS_max }
        }
        set xrange [-0.55:nA - 0.45]
        # Linear y: the effect of tagging is a fraction of each bar.
        yhi = ymax > 0 ? ymax * (k == 1 ? 1.3 : 1.15) : 1
        set yrange [0:yhi]
        set ytics nice_step(yhi, 4) < 1 ? 1 : nice_step(yhi, 4)
        set format y "%g"
        bars_base = 0
        # Over each group of the cycles row: the change from the first sweep
        # point (untagged) to the last (fully tagged), in per cent.
        do for [i=1:nA] { unset label 1200+i }
        if (k == 1 && nP > 1) {
            do for [i=1:nA] {
                stats F every ::0::0 using (column(nS + i)) nooutput
                v0 = STATS_max
                stats F every ::nP-1::nP-1 using (column(nS + i)) nooutput
                v1 = STATS_max
                stats F using (column(nS + i)) nooutput
                if (v0 > 0) {
                    chg = abs(v1 / v0 - 1) < 0.005 ? "±0%" : sprintf("%+.0f%%", (v1 / v0 - 1) * 100)
                    set label 1200+i chg at i - 1, first STATS_max center offset 0, 0.7 font font(8) front
                }
            }
        }
        set tmargin at screen p_top - (k - 1) * (p_h + p_gap)
        set bmargin at screen p_top - (k - 1) * (p_h + p_gap) - p_h
        set lmargin at screen col_l(j, nW, gap)
        set rmargin at screen col_r(j, nW, gap)
        set xtics ()
        do for [i=1:nA] { set xtics add ((k == nM ? word(archs, i) : "") i - 1) }
        if (k == nM) { set xtics rotate by 40 right } else { set xtics norotate }
        if (j == 1) { set ylabel (k == 1 ? "cycles per call" : "TLB misses per call (I + D)") } else { unset ylabel }
        set label 992 sprintf("%s: %s", word(workloads, j), k == 1 ? "cycles" : "TLB misses") at graph 0, graph 1.07 left font font(10) noenhanced front
        if (ymax <= 0) {
            set label 995 "none" at graph 0.5, graph 0.5 center font font(10) tc rgb "#777777" front
        } else { unset label 995 }
        plot @bars_of
        if (k == 1 && j == 1) {
            unset label 990; unset label 991; eval key_unset
            do for [c=1:nP] { unset object 1500+c; unset label 1500+c }
        }
    }
}
unset multiplot
