# input: results/footprint-sweep/results.csv
# select: l1i.size+l1d.size=8K
#
# footprint-lines.gp: the cache footprint of one call: the distinct i-cache
# lines (top panel, footprint_i_lines) and d-cache lines (bottom panel,
# footprint_d_lines) it touches, per workload and architecture, at the
# profile's own L1 size (8 KiB I and D on pentium-133: the "# select:" line
# above picks that sweep point; the footprint does not depend on the cache
# size anyway). Log y; the dashed rule is the L1's capacity in lines, so a
# bar above it cannot fit however the lines are placed. Clustered bars as
# in default-traps.gp. Render with scripts/plots.sh.

load 'plots/common.gp'

set label 990 "Cache footprint of one call: distinct cache lines touched, by workload and architecture"

key_n = nA
key_text(i) = word(archs, i)
key_fill(i) = arch_color(arch_base(word(archs, i)))
key_pat(i) = arch_pattern(arch_base(word(archs, i)))
key_hatch(i) = arch_hatch(arch_base(word(archs, i)))
key_y = 0.872
load 'plots/key.gp'

p_top = key_bottom - 0.06
p_bot = wl_bmargin
p_gap = 0.085
p_h = (p_top - p_bot - p_gap) / 2

set lmargin at screen plot_l
set rmargin at screen plot_r
set logscale y 10
set format y "%g"
set mytics 10
set grid ytics mytics lc rgb "#D8D8D8" lw 0.6, lc rgb "#EEEEEE" lw 0.4 back
ymin = minpos_footprint_i_lines < minpos_footprint_d_lines ? minpos_footprint_i_lines : minpos_footprint_d_lines
ymax = max_footprint_i_lines > max_footprint_d_lines ? max_footprint_i_lines : max_footprint_d_lines
ylo = ymin > 0 ? 10 ** floor(log10(ymin)) : 1
# A bar as low as the axis would have no height: leave room below it.
if (ymin <= ylo * 1.5) { ylo = ylo / 2.0 }
yhi = ymax * 2.5
set yrange [ylo:yhi]
bars_base = ylo
values = "for [i=1:nA] F using (bar_x($0,i)):(column(i+1)):(sprintf('%g', column(i+1))) with labels offset 0, 0.55 font '".font(7)."' notitle"

set multiplot

F = data.'/col_footprint_i_lines.dat'
l1_lines = prof_l1i_size / prof_l1i_line
set tmargin at screen p_top
set bmargin at screen p_top - p_h
set xtics ()
do for [j=1:nW] { set xtics add ("" j - 1) }
set ylabel "i-cache lines per call"
set label 992 sprintf("instruction lines (%d-byte lines)", prof_l1i_line) at graph 0, graph 1.06 left font font(11) front
set arrow 1 from graph 0, first l1_lines to graph 1, first l1_lines nohead dt 2 lc rgb "#555555" lw 1 front
set label 993 sprintf("L1I holds %d lines", l1_lines) at graph 1, first l1_lines right offset 0, 0.6 font font(8) tc rgb "#444444" front
plot @bars, @values

eval key_unset
unset label 990
unset label 991

F = data.'/col_footprint_d_lines.dat'
l1_lines = prof_l1d_size / prof_l1d_line
set tmargin at screen p_bot + p_h
set bmargin at screen p_bot
set xtics ()
do for [j=1:nW] { set xtics add (word(workloads, j) j - 1) }
set ylabel "d-cache lines per call"
set label 992 sprintf("data lines (%d-byte lines)", prof_l1d_line)
set arrow 1 from graph 0, first l1_lines to graph 1, first l1_lines nohead dt 2 lc rgb "#555555" lw 1 front
set label 993 sprintf("L1D holds %d lines", l1_lines) at graph 1, first l1_lines right offset 0, 0.6 font font(8) tc rgb "#444444" front
set xlabel "workload" offset 0, (wl_rotate ? 0.5 : 0)
plot @bars, @values

unset multiplot
