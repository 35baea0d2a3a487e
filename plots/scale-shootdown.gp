# input: results/scale-shootdown/results.csv
#
# scale-shootdown.gp: the latency of an unmap that must invalidate a TLB
# entry on N cores (`osarch scale configs/scale-shootdown.yaml`), against
# N: a monolithic kernel's IPIs (initiator waits for every acknowledgement)
# and a multikernel's messages between per-core monitors. Both axes
# logarithmic. The CSV has one row per (protocol, cores); this script reads
# it directly. Render with scripts/plots.sh.

load 'plots/common.gp'

csv = 'results/scale-shootdown/results.csv'
set datafile separator ','

set label 990 "TLB shootdown: unmap latency against cores"

series = system("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } !seen[$h[\"arch\"]]++ { printf \"%s \", $h[\"arch\"] }' " . csv)
nS = words(series)
if (nS == 0) { print "scale-shootdown: no rows in ".csv; exit status 0 }
s_color(k) = k == 1 ? "#332288" : "#117733"
s_pt(k) = k == 1 ? 7 : 9

lkey_n = nS
lkey_text(i) = word(series, i)
lkey_color(i) = s_color(i)
lkey_pt(i) = s_pt(i)
lkey_dt(i) = 1
lkey_y = 0.872
eval lkey_draw

set autoscale xy
stats csv using (column("latency_us")) nooutput
ylo = 10 ** floor(log10(STATS_min > 0 ? STATS_min : 1e-3))
yhi = 10 ** ceil(log10(STATS_max * 1.05))
stats csv using (column("cores")) nooutput
xlo = STATS_min; xhi = STATS_max
set logscale x 2
set logscale y 10
set xrange [xlo / 1.25:xhi * 1.25]
set yrange [ylo:yhi]
set xtics () nomirror out scale 0.6
do for [c=0:10] { if (2 ** c >= xlo && 2 ** c <= xhi) { set xtics add (sprintf("%d", 2 ** c) 2 ** c) } }
set format y "%g"
set mytics 10
set grid xtics ytics mytics lc rgb "#D8D8D8" lw 0.6, lc rgb "#EEEEEE" lw 0.4 back
set xlabel "cores on which the page is mapped"
set ylabel "unmap latency, microseconds (log scale)"
set tmargin at screen lkey_bottom - 0.06
set bmargin at screen 0.14
set lmargin at screen plot_l
set rmargin at screen plot_r
plot for [k=1:nS] csv using ((strcol("arch") eq word(series, k)) ? column("cores") : NaN):(column("latency_us")) \
    with linespoints lc rgb s_color(k) pt s_pt(k) ps 0.9 * ps_scale lw 1.6 notitle
