# input: results/default/results.csv
#
# default-traps.gp: traps per call (top panel) and address-space switches per
# call (bottom panel) of every workload, one bar per architecture, linear
# scale. Same layout, order and palette as default-cycles.gp.
# Render with scripts/plots.sh.

load 'plots/common.gp'

set label 990 "Traps and address-space switches per call, by workload and architecture"

key_n = nA
key_text(i) = word(archs, i)
key_fill(i) = arch_color(word(archs, i))
key_pat(i) = arch_pattern(word(archs, i))
key_hatch(i) = arch_hatch(word(archs, i))
key_y = 0.872
load 'plots/key.gp'

# Two panels of equal height between the key and the tic labels.
p_top = key_bottom - 0.055
p_bot = wl_bmargin
p_gap = 0.085
p_h = (p_top - p_bot - p_gap) / 2

set lmargin at screen plot_l
set rmargin at screen plot_r
set ylabel "count per call"
set format y "%g"
bars_base = 0
# Integer tic steps (counts), at most 5 intervals.
ystep(m) = m > 0 ? (nice_step(m, 5) < 1 ? 1 : nice_step(m, 5)) : 1

set multiplot

# Top panel: traps (kernel entries: system calls, faults, IPC traps, VM exits
# that reach the kernel) per call. No tic labels on x: the panel below has them.
F = data.'/col_traps.dat'
ymax = max_traps > 0 ? max_traps * 1.12 : 1
set yrange [0:ymax]
set ytics ystep(max_traps)
set tmargin at screen p_top
set bmargin at screen p_top - p_h
set format x ""
set xtics () 
do for [j=1:nW] { set xtics add ("" j - 1) }
set label 992 "traps per call" at graph 0, graph 1.06 left font font(11) front
plot @bars

# The title, machine line and key are drawn once.
eval key_unset
unset label 990
unset label 991

# Bottom panel: address-space switches per call.
F = data.'/col_as_switches.dat'
ymax = max_as_switches > 0 ? max_as_switches * 1.12 : 1
set yrange [0:ymax]
set ytics ystep(max_as_switches)
set tmargin at screen p_bot + p_h
set bmargin at screen p_bot
set xtics ()
do for [j=1:nW] { set xtics add (word(workloads, j) j - 1) }
set label 992 "address-space switches per call"
set xlabel "workload" offset 0, (wl_rotate ? 0.5 : 0)
plot @bars

unset multiplot
