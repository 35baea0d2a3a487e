# input: results/extension-faults/results.csv
#
# extension-faults.gp: what isolating an extension costs against what one
# fault in it loses (`osarch faults configs/extension-faults.yaml`). One row
# per placement, in the CSV's order.
#   left:  the cost of the isolation when nothing fails, in cycles over the
#          placement's unprotected reference (isolation_cycles): the block
#          driver per read-disk call (solid bar) and the packet filter per
#          device event (hatched bar);
#   right: for each fault (one point type each) the simulated time until
#          service resumes (recovery_ms, log scale) for the block driver; a
#          fault the verifier rejects before the code runs sits on "nothing
#          lost", one that needs an operator on "operator". Beside it, what a
#          wild write takes down (failure unit, processes killed, requests).
# Colours: the placement's architecture (plots/palette.gp), so the two
# exokernel sandboxes share one. Reads the CSV directly (set datafile
# separator ','), so that per-fault rows need no reshaping; render with
# scripts/plots.sh.

load 'plots/common.gp'

unset arrow
set autoscale x        # stats filters by the current ranges (common.gp set them)
set autoscale y
set datafile separator ','
set datafile columnheaders
F = 'results/extension-faults/results.csv'
EXT1 = 'block-driver'
EXT2 = 'packet-filter'

set label 990 "Extensions under faults: what isolation costs, and what one fault loses"

# The placements, in CSV order: " lkm mach-kernel ... " (words).
places = " "
stats F using (strcol(1) eq EXT1 && strstrt(places, " ".strcol(2)." ") == 0 ? \
               (places = places.strcol(2)." ", 0) : 0) nooutput
nP = words(places)
if (nP == 0) {
    print "extension-faults: no ".EXT1." rows in ".F."; no figure"
    exit status 0
}
# 0-based position of a placement; its row (the first on top)
pidx(n) = words(places[1:strstrt(places, " ".n." ")])
yrow(n) = nP - 1 - pidx(n)
base(a) = strstrt(a, ":") > 0 ? a[1:strstrt(a, ":") - 1] : a
# "#RRGGBB" -> the integer `lc rgb variable` takes
hexd(c) = strstrt("0123456789ABCDEF", c) - 1
hexv(s) = ((((hexd(s[2:2]) * 16 + hexd(s[3:3])) * 16 + hexd(s[4:4])) * 16 + hexd(s[5:5])) * 16 + \
           hexd(s[6:6])) * 16 + hexd(s[7:7])
rgb(a) = hexv(arch_color(a))
faults = "wild-write null-deref infinite-loop leak"
fault_pt(i) = word("7 5 9 13", i) + 0
fault_dy(i) = word("0.27 0.09 -0.09 -0.27", i) + 0
fault_label(i) = i == 1 ? "wild write" : i == 2 ? "null dereference" : i == 3 ? "infinite loop" : "leak"
y_floor = 1e-4                       # ms: "nothing lost"
y_ceil = 1e7                         # ms: "operator" (no automatic recovery)
xmap(r) = r < 0 ? y_ceil : (r < y_floor ? y_floor : r)
req(l, r) = l > 0 ? sprintf("%d requests lost", l) : r > 0 ? sprintf("%d retried", r) : "no request lost"
what(u, a, l, r) = u eq "none" ? "rejected at load" : \
                   sprintf("%s: %s, %s", u eq "extension" ? "its server" : u, \
                           a > 0 ? sprintf("%d processes", a) : "no process", req(l, r))

# (before any range is set: stats keeps only the values inside the ranges)
stats F using (strcol(6) eq "wild-write" ? column('isolation_cycles') : NaN) nooutput
cmax = STATS_max > 0 ? STATS_max : 1
cmin = STATS_min < 0 ? STATS_min : 0

p_top = 0.78
p_bot = 0.15
set yrange [-0.6 : nP - 0.4]
set ytics () nomirror scale 0 noenhanced
unset grid
set multiplot

# ---- left: the cost of isolation ----
set lmargin at screen 0.13
set rmargin at screen 0.40
set tmargin at screen p_top
set bmargin at screen p_bot
do for [i=1:nP] { set ytics add (word(places, i) nP - i) }
set xrange [cmin - 0.02 * (cmax - cmin) : cmax * 1.30]
set xtics nice_step(cmax, 3) nomirror
set grid xtics lc rgb "#E4E4E4" lw 0.6 back
set xlabel "cycles over the unprotected reference" font font(9) offset -2, 0
set label 992 "cost when nothing fails" at graph 0, graph 1.04 left font font(11) front
set label 993 "solid: block driver, per read-disk call\nhatched: packet filter, per packet" \
    at graph 0.98, graph 0.97 right font font(8) front
h = 0.16
plot F using (strcol(1) eq EXT1 && strcol(6) eq "wild-write" ? column('isolation_cycles') : NaN):(yrow(strcol(2)) + h):(0):(column('isolation_cycles')):(yrow(strcol(2)) + h - 0.14):(yrow(strcol(2)) + h + 0.14):(rgb(base(strcol(3)))) \
         with boxxyerror fs solid 1.0 border lc rgb '#333333' lw 0.5 fc rgb variable notitle, \
     F using (strcol(1) eq EXT2 && strcol(6) eq "wild-write" ? column('isolation_cycles') : NaN):(yrow(strcol(2)) - h):(0):(column('isolation_cycles')):(yrow(strcol(2)) - h - 0.14):(yrow(strcol(2)) - h + 0.14):(rgb(base(strcol(3)))) \
         with boxxyerror fs pattern 4 border lc rgb '#333333' lw 0.5 fc rgb variable notitle, \
     F using (strcol(6) eq "wild-write" ? (column('isolation_cycles') > 0 ? column('isolation_cycles') : 0) : NaN):(yrow(strcol(2)) + (strcol(1) eq EXT1 ? h : -h)):(sprintf(" %.0f", column('isolation_cycles'))) \
         with labels left font font(7) tc rgb '#333333' notitle
unset label 992
unset label 993
unset label 990
unset label 991
unset xlabel
unset grid

# ---- right: what a fault loses ----
set lmargin at screen 0.45
set rmargin at screen 0.71
set ytics ()
set ytics format ""
set logscale x 10
set xrange [y_floor / 2 : y_ceil * 3]
f8 = font(8)
set xtics ("nothing lost" y_floor, "10 µs" 1e-2, "1 ms" 1, "1 s" 1000, "1 min" 6e4, "operator" y_ceil) \
    nomirror rotate by 30 right font f8
set grid xtics lc rgb "#E4E4E4" lw 0.6 back
set xlabel "block driver: time until service resumes" font font(9) offset 0, 1.2
set label 992 "what a fault loses" at graph 0, graph 1.04 left font font(11) front
# The legend of the faults: one row of labels with their points.
do for [i=1:4] {
    set label 1100+i fault_label(i) at screen word("0.27 0.40 0.575 0.71", i) + 0, 0.865 left offset 1.2, 0 \
        point pt fault_pt(i) ps 1.2 lc rgb '#333333' font font(9) front
}
set label 994 "a wild write takes down:" at graph 1.02, graph 1.04 left font font(9) front
unset key
plot for [i=1:4] F using (strcol(1) eq EXT1 && strcol(6) eq word(faults, i) ? xmap(column('recovery_ms')) : NaN):(yrow(strcol(2)) + fault_dy(i)):(rgb(base(strcol(3)))) \
         with points pt fault_pt(i) ps 1.2 lc rgb variable notitle, \
     F using (strcol(1) eq EXT1 && strcol(6) eq "wild-write" ? y_ceil * 3 : NaN):(yrow(strcol(2))):(" ".what(strcol(7), column('apps_killed'), column('requests_lost'), column('requests_retried'))) \
         with labels left font font(8) noenhanced tc rgb '#333333' notitle
unset multiplot
