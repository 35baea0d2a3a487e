# input: results/replay-demo/results.csv
#
# replay-demo.gp: memory cycles per instruction (MCPI) of real programs --
# valgrind traces of sed, grep, gzip and sort replayed by `osarch replay`
# under each architecture (`make replay-demo`, docs/replay.md). One stacked
# bar per program and architecture: the user and system parts of the
# I-cache, D-cache and TLB stall cycles, each over all instructions (user +
# system), so the six parts add up to the bar -- the shape of Chen and
# Bershad's MCPI tables (SOSP 1993).
#
# Reads the CSV itself (set datafile separator ','; columns by name), so it
# runs alone:
#   gnuplot -e "term='png'; out='plots/replay-demo.png'" plots/replay-demo.gp
# scripts/plots.sh runs it too (it passes term, out and data; data is not
# needed here). `csv` may name another results file of `osarch replay`.

if (!exists("term")) { term = 'png' }
if (!exists("out")) { out = 'plots/replay-demo.'.term }
if (!exists("csv")) { csv = 'results/replay-demo/results.csv' }

set encoding utf8
fscale = term eq 'svg' ? 1.25 : 1
font(n) = sprintf("sans,%g", n * fscale)
f8 = font(8); f9 = font(9); f10 = font(10); f11 = font(11); f12 = font(12)
if (term eq 'png') {
    set terminal pngcairo size 900,540 enhanced font "sans,10"
} else {
    if (term eq 'svg') {
        set terminal svg size 900,540 dynamic enhanced font f10
    } else {
        exit error "term must be 'png' or 'svg', not '".term."'"
    }
}
set output out

# Architectures and programs in CSV order (rows are program-major: every
# architecture of the first program, then of the second ...).
q(cmd) = system(cmd)
archs = q("awk -F, 'NR > 1 && !s[$1]++ { printf \"%s \", $1 }' '".csv."'")
progs = q("awk -F, 'NR > 1 && !s[$2]++ { printf \"%s \", $2 }' '".csv."'")
machine = q("awk -F, 'NR == 2 { printf \"%s\", $3 }' '".csv."'")
nA = words(archs)
nP = words(progs)
if (nA == 0 || nP == 0) { exit error "no result rows in ".csv }

set datafile separator ','
set datafile columnheaders

# The six parts, bottom to top, with their colours (Paul Tol's "light"
# scheme: cool colours for the program, warm ones for the system).
parts = "mcpi_user_i mcpi_user_d mcpi_user_tlb mcpi_sys_i mcpi_sys_d mcpi_sys_tlb"
part_title(k) = k == 1 ? "user I-cache" : k == 2 ? "user D-cache" : k == 3 ? "user TLB" : \
                k == 4 ? "system I-cache" : k == 5 ? "system D-cache" : "system TLB"
part_color(k) = word("#77AADD #99DDFF #44BB99 #EE8866 #EEDD88 #FFAABB", k)
cum(k) = k <= 0 ? 0 : cum(k - 1) + column(word(parts, k))

stats csv using (column("mcpi")) nooutput
ymax = STATS_max

# x: program p (0-based) at p * (nA + 1), its architectures side by side.
xpos(r) = int(r / nA) * (nA + 1) + (int(r) % nA)
set xrange [-0.8:nP * (nA + 1) - 1.2]
set yrange [0:ymax * 1.25]
set ytics nomirror
# The share of time in the system, on the right axis: MCPI counts stalls
# per instruction of either mode, so an architecture that runs more system
# instructions can have a lower MCPI and still spend more time in the system.
set y2range [0:100]
set y2tics 0, 20, 100 nomirror
set y2label "time in the system (%), diamonds"
set grid ytics lc rgb "#D8D8D8" lw 0.6 back
set border 3 front lw 0.8
set ylabel "memory cycles per instruction (MCPI)"

# Architecture names under each bar; program names under each group.
set xtics () nomirror scale 0 rotate by 60 right noenhanced font f8
do for [p = 0:nP - 1] {
    do for [a = 1:nA] { set xtics add (word(archs, a) p * (nA + 1) + a - 1) }
    set label 100 + p word(progs, p + 1) at first p * (nA + 1) + (nA - 1) / 2.0, graph -0.27 center font f11 noenhanced
}
do for [p = 1:nP - 1] {
    set arrow 200 + p from p * (nA + 1) - 1, graph 0 to p * (nA + 1) - 1, graph 1 nohead lc rgb "#E4E4E4" lw 0.8 back
}

set label 990 "Real programs: memory cycles per instruction, user and system" at screen 0.5, 0.965 center font f12 front
set label 991 "valgrind traces replayed on machine ".machine." (make replay-demo); each part over all instructions" at screen 0.5, 0.93 center noenhanced front
set key at screen 0.5, 0.905 center top horizontal maxcols 4 reverse Left samplen 1.2 width 1 font f9 noenhanced
set lmargin at screen 0.085
set rmargin at screen 0.92
set tmargin at screen 0.82
set bmargin at screen 0.26

w = 0.38
plot for [k = 1:6] csv using (xpos($0)):(cum(k)):(xpos($0) - w):(xpos($0) + w):(cum(k - 1)):(cum(k)) \
        with boxxyerror fc rgb part_color(k) fs solid 1.0 border lc rgb '#555555' lw 0.4 title part_title(k), \
     csv using (xpos($0)):(100 * column("sys_share")) axes x1y2 with points pt 13 ps 1.1 lc rgb '#222222' \
        title "system time"
