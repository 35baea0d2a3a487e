# input: results/scale-cores/results.csv
#
# scale-cores.gp: throughput against cores (`osarch scale
# configs/scale-cores.yaml`), one panel per workload. One line per
# architecture, number of server threads and lock granularity: palette
# colour and point type per architecture, solid for one thread per server,
# dashed for a pool, dotted for per-inode locks (lock.inodes > 0; drawn only
# for the architectures whose call takes the lock).
# Both axes are logarithmic (cores 1, 2, 4, 8, 16): perfect scaling is a
# straight line of slope one; a line that goes flat has met its bottleneck
# (the CSV's `bottleneck` column names it: a server, the lock, the cores).
# The CSV has one row per (arch, workload, threads, cores), so this script
# reads it directly (datafile separator ',', columns by name) instead of the
# arch x workload tables scripts/plots.sh prepares. Render with
# scripts/plots.sh.

load 'plots/common.gp'

csv = 'results/scale-cores/results.csv'
set datafile separator ','

set label 990 "Throughput against cores: where each architecture stops scaling"

# The (arch, threads, lock inodes) series in CSV order, as "arch:threads:inodes"
# words; a per-inode series only where the lock is taken (lock_held_cycles > 0).
series = system("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } " . \
                "{ li = (\"lock_inodes\" in h) ? $h[\"lock_inodes\"] : 0; k = $h[\"arch\"] \":\" $h[\"threads\"] \":\" li } " . \
                "(li == 0 || $h[\"lock_held_cycles\"] > 0) && !seen[k]++ { printf \"%s \", k }' " . csv)
nS = words(series)
if (nS == 0) { print "scale-cores: no rows in ".csv; exit status 0 }
s_f(k, i) = system(sprintf("echo %s | cut -d: -f%d", word(series, k), i))
s_arch(k) = s_f(k, 1)
s_thr(k) = int(s_f(k, 2))
s_ino(k) = int(s_f(k, 3))
s_dt(k) = s_ino(k) > 0 ? 3 : (s_thr(k) > 1 ? 2 : 1)
s_text(k) = sprintf("%s%s%s", s_arch(k), s_thr(k) > 1 ? sprintf(", %d threads", s_thr(k)) : "", s_ino(k) > 0 ? ", per-inode locks" : "")
s_lino(k) = s_ino(k)

unset arrow
lkey_n = nS
lkey_text(i) = s_text(i)
lkey_color(i) = arch_color(arch_base(s_arch(i)))
lkey_pt(i) = arch_pt(arch_base(s_arch(i)))
lkey_dt(i) = s_dt(i)
lkey_y = 0.872
eval lkey_draw

# Throughput range over the whole file, in million calls per second.
set autoscale xy
stats csv using (column("throughput") / 1e6) nooutput
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
stats csv using (column("clients") / column("cores")) nooutput
set xlabel sprintf("cores (%g client processes per core)", STATS_max)

# The lock's bound (1 / time it is held per call), where it is the bottleneck.
lock_bound = real(system("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } " . \
                         "$h[\"bottleneck\"] == \"lock\" && $h[\"bound\"] > m { m = $h[\"bound\"] } END { print m / 1e6 }' " . csv))

gap = 0.08
p_top = lkey_bottom - 0.085
# Lines that coincide (same cycles per call) are drawn over one another.
set label 993 "a line hidden under another has the same figures (e.g. vm-pv and monolithic)" \
    at screen 0.5, 0.022 center font font(8) tc rgb "#555555" front
set multiplot
do for [j=1:nW] {
    wl = word(workloads, j)
    set tmargin at screen p_top
    set bmargin at screen 0.14
    set lmargin at screen col_l(j, nW, gap)
    set rmargin at screen col_r(j, nW, gap)
    set title wl noenhanced font font(11)
    set ylabel (j == 1 ? "million calls per second (log scale)" : "")
    unset arrow 1
    unset label 1
    wl_locked = system("awk -F, -v w=" . wl . " 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } " . \
                       "$h[\"workload\"] == w && $h[\"bottleneck\"] == \"lock\" { n++ } END { print n + 0 }' " . csv)
    if (lock_bound > 0 && int(wl_locked) > 0) {
        set arrow 1 from graph 0, first lock_bound to graph 1, first lock_bound nohead dt 3 lc rgb "#777777" lw 1 back
        set label 1 "coarse FS lock's bound without hand-overs" at graph 0.02, first lock_bound * 1.25 left font font(8) tc rgb "#555555"
    }
    plot for [k=1:nS] csv using \
        ((strcol("workload") eq wl && strcol("arch") eq s_arch(k) && column("threads") == s_thr(k) && column("lock_inodes") == s_lino(k)) ? column("cores") : NaN):\
        (column("throughput") / 1e6) with linespoints lc rgb arch_color(arch_base(s_arch(k))) \
        pt arch_pt(arch_base(s_arch(k))) ps 0.9 * ps_scale lw 1.6 dt s_dt(k) notitle
    unset label 990
    unset label 991
    unset label 993
    eval lkey_unset
}
unset multiplot
