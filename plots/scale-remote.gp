# input: results/scale-remote/results.csv
#
# scale-remote.gp: Mach servers on a remote host across a link
# (`osarch scale configs/scale-remote.yaml`). One row of panels per
# workload, one column per link bandwidth; in each panel, the throughput of
# the remote placement divided by the local one's (`speedup`) against the
# link's one-way latency, one line per clock of the remote host. Above the
# dotted line at 1, offloading pays; below it the network eats the gain.
# Both axes are logarithmic. The CSV has one row per sweep point, so this
# script reads it directly (datafile separator ',', columns by name); a
# line joins consecutive rows, so the config sweeps latency last.
# Render with scripts/plots.sh.

load 'plots/common.gp'

csv = 'results/scale-remote/results.csv'
set datafile separator ','

set label 990 "Servers on a remote host: throughput against the local servers"

# Distinct values of a column among the remote rows, in CSV order.
distinct(col) = system("awk -F, -v c=" . col . " 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } " . \
                       "$h[\"placement\"] == \"remote\" && !seen[$h[c]]++ { printf \"%s \", $h[c] }' " . csv)
bws = distinct("bandwidth_mbit")
mhzs = distinct("remote_mhz")
nB = words(bws)
nM = words(mhzs)
if (nB == 0 || nM == 0) { print "scale-remote: no remote rows in ".csv; exit status 0 }

# One colour per remote clock, slowest lightest (Paul Tol's "sunset" end points and middle).
mhz_color(k) = word("#6EA6CD #F67E4B #A50026 #364B9A #FDB366", (k - 1) % 5 + 1)
mhz_pt(k) = word("9 7 5 13 11", (k - 1) % 5 + 1) + 0
bw_text(b) = b >= 1000 ? sprintf("%g Gbit/s", b / 1000) : sprintf("%g Mbit/s", b)

unset arrow
lkey_n = nM + 1
lkey_text(i) = i <= nM ? sprintf("remote host at %s MHz", word(mhzs, i)) : "local servers (= 1)"
lkey_color(i) = i <= nM ? mhz_color(i) : "#777777"
lkey_pt(i) = i <= nM ? mhz_pt(i) : 0
lkey_dt(i) = i <= nM ? 1 : 2
lkey_y = 0.872
eval lkey_draw

set autoscale xy
stats csv using (strcol("placement") eq "remote" ? column("speedup") : NaN) nooutput
ylo = 10 ** floor(log10(STATS_min))
yhi = 10 ** ceil(log10(STATS_max * 1.05))
stats csv using (strcol("placement") eq "remote" ? column("latency_us") : NaN) nooutput
xlo = STATS_min; xhi = STATS_max

set logscale x 10
set logscale y 10
set xrange [xlo / 1.3:xhi * 1.3]
set yrange [ylo:yhi]
set format x "%g"
set format y "%g"
set grid xtics ytics lc rgb "#D8D8D8" lw 0.6 back
lats = distinct("latency_us")
set xtics () nomirror out scale 0.6
do for [l=1:words(lats)] { set xtics add (word(lats, l) word(lats, l) + 0) }
set ytics nomirror

gap = 0.05
row_gap = 0.09
p_top = lkey_bottom - 0.07
p_bot = 0.11
p_h = (p_top - p_bot - (nW - 1) * row_gap) / nW
set multiplot
do for [j=1:nW] {
    wl = word(workloads, j)
    do for [b=1:nB] {
        bw = word(bws, b) + 0
        set tmargin at screen p_top - (j - 1) * (p_h + row_gap)
        set bmargin at screen p_top - (j - 1) * (p_h + row_gap) - p_h
        set lmargin at screen col_l(b, nB, gap)
        set rmargin at screen col_r(b, nB, gap)
        set title sprintf("%s, %s", wl, bw_text(bw)) noenhanced font font(10) offset 0, -0.6
        set ylabel (b == 1 ? "remote / local throughput" : "")
        set xlabel (j == nW && b == (nB + 1) / 2 ? "one-way link latency (us, log scale)" : "")
        set xtics format (j == nW ? "" : " ")
        set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#777777" lw 1.2 back
        plot for [m=1:nM] csv using \
            ((strcol("placement") eq "remote" && strcol("workload") eq wl && column("bandwidth_mbit") == bw && \
              column("remote_mhz") == word(mhzs, m) + 0) ? column("latency_us") : NaN):(column("speedup")) \
            with linespoints lc rgb mhz_color(m) pt mhz_pt(m) ps 0.8 * ps_scale lw 1.6 notitle
        unset label 990
        unset label 991
        eval lkey_unset
    }
}
unset multiplot
