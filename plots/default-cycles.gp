# input: results/default/results.csv
#
# default-cycles.gp: cycles per call of every workload, one bar per
# architecture (clustered bars, log-scale y). Architectures and workloads are
# taken from the CSV in its order; colours and hatches from palette.gp.
# Render with scripts/plots.sh.

load 'plots/common.gp'

set label 990 "Cycles per call, by workload and architecture"

F = data.'/col_cycles.dat'
if (max_cycles <= 0) { exit error "no positive cycles in ".F }

# Log scale from the decade below the smallest value to a little above the
# largest, so the ratio between bars reads directly. Zero cycles would not
# show on a log scale (no workload costs zero).
set logscale y 10
ylo = 10 ** floor(log10(minpos_cycles))
yhi = max_cycles * 1.6
set yrange [ylo:yhi]
set format y "%.0f"
set mytics 10
set grid ytics mytics lc rgb "#D8D8D8" lw 0.6, lc rgb "#EEEEEE" lw 0.4 back
# offset: without it the label lands left of x = 0, which gnuplot's svg terminal
# drops (the png showed it, the svg did not).
set ylabel "cycles per call (log scale)" offset 1,0
set xlabel "workload" offset 0, (wl_rotate ? 0.5 : 0)

# Second y axis in microseconds, when the machine clock is known.
if (mhz > 0) {
    plot_r = 0.90
    set logscale y2 10
    set y2range [ylo / mhz:yhi / mhz]
    set y2tics nomirror
    set format y2 "%g"
    set y2label sprintf("µs per call at %g MHz", mhz)
}

key_n = nA
key_text(i) = word(archs, i)
key_fill(i) = arch_color(word(archs, i))
key_pat(i) = arch_pattern(word(archs, i))
key_hatch(i) = arch_hatch(word(archs, i))
key_y = 0.872
load 'plots/key.gp'

set lmargin at screen plot_l
set rmargin at screen plot_r
set tmargin at screen key_bottom - 0.03
set bmargin at screen wl_bmargin

bars_base = ylo
plot @bars
