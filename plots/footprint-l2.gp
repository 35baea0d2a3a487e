# input: results/footprint-sweep-l2/results.csv
#
# footprint-l2.gp: cycles per call against the L2 size (`sweep: l2.size`),
# one panel per workload, one line per architecture; the layout of
# footprint-l1.gp, which draws it. Render with scripts/plots.sh.

fp_level = 'l2'
load 'plots/footprint-l1.gp'
