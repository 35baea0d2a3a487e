# input: results/virtualization-eras/results.csv
# select: machine=core2-vtx
#
# virtualization-eras.gp: virtual machines as they were built on the 2006
# machine (core2-vtx): each option set of configs/virtualization-eras.yaml
# (ESX 3 = vm-bt, Xen 3 64-bit PV = vm-pv, KVM on first VT-x =
# vm-hw:monitor=hosted,shadow=rebuild, ...) as the ratio of its cycles per
# call to monolithic on the same machine. As virtualization.gp (vm-bt, vm-pv,
# vm-hw, vm-hw-ept) as the ratio of its cycles per call to the native
# reference architecture's, the first in the CSV (monolithic), for every
# workload. scripts/plots.sh computes the ratios (rel_cycles.dat). Clustered
# bars on a log scale that start at 1 (the reference, dashed): a bar's height
# reads as a factor, 2x and 0.5x equally far from the rule. Under the rule,
# the reference's own cycles per call of each workload. Render with scripts/plots.sh.

load 'plots/common.gp'

if (nA < 2) {
    print "virtualization-eras: fewer than two architectures; no figure"
    exit status 0
}
ref = word(archs, 1)
F = data.'/rel_cycles.dat'

set label 990 sprintf("Virtual machines as built, on %s: cycles per call relative to native %s", machine, ref) noenhanced

# Bars for architectures 2..nA only (the reference is the rule at 1).
nV = nA - 1
vbar_w = 0.8 / nV
vbar_x(j0, i) = j0 + (i - (nV + 1) / 2.0) * vbar_w
vbars = "for [i=1:nV] F using (vbar_x($0,i)):(column(i+2)):(vbar_x($0,i)-vbar_w/2):(vbar_x($0,i)+vbar_w/2):(1):(column(i+2)) with boxxyerror fc rgb arch_color(arch_base(word(archs,i+1))) fs solid 1.0 border lc rgb '#333333' lw 0.5 notitle, for [i=1:nV] F using (vbar_x($0,i)):(column(i+2)):(vbar_x($0,i)-vbar_w/2):(vbar_x($0,i)+vbar_w/2):(1):(column(i+2)) with boxxyerror fc rgb arch_hatch(arch_base(word(archs,i+1))) fs transparent pattern arch_pattern(arch_base(word(archs,i+1))) noborder notitle"
vlabels = "for [i=1:nV] F using (vbar_x($0,i)):(column(i+2)):(sprintf(column(i+2) < 9.95 ? '%.1f' : '%.0f', column(i+2))) with labels rotate by 90 left offset 0, 0.35 font '".font(7.5)."' notitle"

key_n = nV
key_text(i) = word(archs, i + 1)
key_fill(i) = arch_color(arch_base(word(archs, i + 1)))
key_pat(i) = arch_pattern(arch_base(word(archs, i + 1)))
key_hatch(i) = arch_hatch(arch_base(word(archs, i + 1)))
key_y = 0.872
load 'plots/key.gp'

# Range: every ratio, and the rule at 1, with room for the value labels.
set autoscale xy
rmin = 1; rmax = 1
do for [i=2:nA] {
    stats F using (column(i + 1)) nooutput
    if (STATS_records > 0) {
        rmin = STATS_min < rmin ? STATS_min : rmin
        rmax = STATS_max > rmax ? STATS_max : rmax
    }
}
# The reference's cycles per call of each workload, printed under the rule
# (before the ranges are set: stats filters by them).
Fc = data.'/col_cycles.dat'
array refc[nW]
do for [j=1:nW] {
    stats Fc every ::j-1::j-1 using 2 nooutput
    refc[j] = STATS_max
}
set logscale y 10
set yrange [rmin / 1.6 : rmax * 3.2]
set xrange [-0.5:nW - 0.5]
set mytics 10
set grid ytics mytics lc rgb "#D8D8D8" lw 0.6, lc rgb "#EEEEEE" lw 0.4 back
set ylabel sprintf("cycles per call / %s's (log scale)", ref) noenhanced

set ytics () nomirror
do for [e=-3:4] { do for [m in "1 2 5"] { v = (m + 0) * 10.0 ** e; if (v >= rmin / 1.6 && v <= rmax * 3.2) { set ytics add (sprintf("%g×", v) v) } } }
set xlabel sprintf("workload (under the rule: %s's cycles per call = 1×)", ref) noenhanced offset 0, (wl_rotate ? 0.5 : 0)
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#333333" lw 1.2 front
do for [j=1:nW] {
    set label 1100+j sprintf("%.0f", refc[j]) at j - 1, first 1 center offset 0, -0.9 font font(8) tc rgb "#333333" front
}

set lmargin at screen plot_l
set rmargin at screen plot_r
set tmargin at screen key_bottom - 0.04
set bmargin at screen wl_bmargin
plot @vbars, @vlabels
