# input: results/scale-migrate/results.csv
#
# scale-migrate.gp: live migration of a guest under SimGrid's plugin
# (solid) and Xen's stop rule (dashed) (`osarch scale configs/scale-migrate.yaml`). Left: total migration time
# against the rate at which the running guest dirties memory; right: the
# downtime (the guest's pause while the last round is copied), one line per
# link bandwidth. A migration that had not finished after vm.timeout (the
# pre-copy rounds do not converge when the guest dirties memory about as
# fast as the link sends it) has no point; a cross at the top of the left
# panel marks it. SimGrid stops pre-copying when what is left would take
# less than 30 ms to send, so the downtime stays near or below that (plus
# one latency) while the migration time grows. The CSV has one row per
# point, so this script reads it directly (datafile separator ',', columns
# by name). Render with scripts/plots.sh.

load 'plots/common.gp'

csv = 'results/scale-migrate/results.csv'
set datafile separator ','

set label 990 "Live migration: total time and downtime against the guest's dirty rate"

bws = system("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } " . \
             "!seen[$h[\"bandwidth_mbit\"]]++ { printf \"%s \", $h[\"bandwidth_mbit\"] }' " . csv)
nB = words(bws)
if (nB == 0) { print "scale-migrate: no rows in ".csv; exit status 0 }
bw_color(k) = word("#6EA6CD #F67E4B #A50026 #364B9A #FDB366", (k - 1) % 5 + 1)
bw_pt(k) = word("9 7 5 13 11", (k - 1) % 5 + 1) + 0
bw_text(b) = b >= 1000 ? sprintf("%g Gbit/s (%g MB/s)", b / 1000.0, b / 8.0) : sprintf("%g Mbit/s (%g MB/s)", b, b / 8.0)

unset arrow
rules = "simgrid xen"
lkey_n = 2 * nB
lkey_text(i) = "link " . bw_text(word(bws, (i - 1) % nB + 1) + 0) . ((i - 1) / nB == 0 ? ", SimGrid's rule" : ", Xen's rule")
lkey_color(i) = bw_color((i - 1) % nB + 1)
lkey_pt(i) = bw_pt((i - 1) % nB + 1)
lkey_dt(i) = (i - 1) / nB + 1
lkey_y = 0.872
eval lkey_draw

set autoscale xy
stats csv using (column("dirty_rate") > 0 ? column("dirty_rate") : NaN) nooutput
xlo = STATS_min; xhi = STATS_max
stats csv using (column("migration_s")) nooutput
tlo = 10 ** floor(log10(STATS_min)); thi = 10 ** ceil(log10(STATS_max * 1.05))
stats csv using (column("downtime_ms")) nooutput
dlo = 10 ** floor(log10(STATS_min > 0 ? STATS_min : 0.01)); dhi = 10 ** ceil(log10(STATS_max * 1.05))

# Dirty rate 0 cannot sit on a log axis: it is drawn at a tenth of the
# smallest positive rate, labelled 0.
x0 = xlo / 10.0
xpos(r) = r > 0 ? r : x0
set logscale x 10
set logscale y 10
set xrange [x0 / 1.5:xhi * 1.5]
set xtics () nomirror out scale 0.6
set xtics add ("0" x0)
do for [e=-3:6] { if (10 ** e >= xlo && 10 ** e <= xhi) { set xtics add (sprintf("%g", 10 ** e) 10 ** e) } }
set mxtics 10
set format y "%g"
set grid xtics ytics lc rgb "#D8D8D8" lw 0.6 back
set xlabel "memory dirtied by the running guest (MB/s, log scale)"

gap = 0.1
p_top = lkey_bottom - 0.07
timeout = real(system("sed -n 's/^  timeout: *//p' results/scale-migrate/config.resolved.yaml | head -n 1"))
set label 993 sprintf("x at the top: SimGrid's rule still migrating after %g s (at or above the link's rate); Xen's rule always stops", timeout) \
    at screen 0.5, 0.022 center font font(8) tc rgb "#555555" front
set multiplot
do for [k=1:2] {
    set tmargin at screen p_top
    set bmargin at screen 0.15
    set lmargin at screen col_l(k, 2, gap)
    set rmargin at screen col_r(k, 2, gap)
    if (k == 1) {
        set title "total migration time" font font(11)
        set yrange [tlo:thi]
        set ylabel "seconds (log scale)"
        plot for [q=0:2*nB-1] csv using (column("bandwidth_mbit") == word(bws, q % nB + 1) + 0 && strcol("stop_rule") eq word(rules, q / nB + 1) ? xpos(column("dirty_rate")) : NaN):\
                (column("migration_s")) with linespoints lc rgb bw_color(q % nB + 1) pt bw_pt(q % nB + 1) ps 0.6 * ps_scale lw 1.4 dt 1 + q / nB notitle, \
             for [b=1:nB] csv using ((column("bandwidth_mbit") == word(bws, b) + 0 && column("converged") == 0) ? \
                xpos(column("dirty_rate")) : NaN):(thi / 1.12) with points lc rgb bw_color(b) pt 2 ps 1.2 * ps_scale lw 1.6 notitle
    } else {
        set title "downtime (the last round, with the guest stopped)" font font(11)
        set yrange [dlo:dhi]
        set ylabel "milliseconds (log scale)"
        set arrow 1 from graph 0, first 30 to graph 1, first 30 nohead dt 3 lc rgb "#777777" lw 1 back
        set label 1 "30 ms: SimGrid's pre-copy target" at graph 0.02, first 38 left font font(8) tc rgb "#555555"
        plot for [q=0:2*nB-1] csv using (column("bandwidth_mbit") == word(bws, q % nB + 1) + 0 && strcol("stop_rule") eq word(rules, q / nB + 1) ? xpos(column("dirty_rate")) : NaN):\
                (column("downtime_ms")) with linespoints lc rgb bw_color(q % nB + 1) pt bw_pt(q % nB + 1) ps 0.6 * ps_scale lw 1.4 dt 1 + q / nB notitle
    }
    unset label 990
    unset label 991
    unset label 993
    eval lkey_unset
}
unset multiplot
