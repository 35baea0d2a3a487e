# palette.gp: one fixed look per architecture, shared by every figure.
# (Library: no "# input:" line, so scripts/plots.sh does not render it.)
#
# Colours are Paul Tol's "muted" qualitative scheme (9 colours, safe for
# deuteranopia, protanopia and tritanopia: https://personal.sron.nl/~pault/),
# plus black for the tenth architecture. Unknown names fall back to grey
# #BBBBBB with no hatching and point type 6, so a new architecture still
# plots; add it here to give it its own look.
#
# Colour is not the only cue: every architecture also has its own
# (hatch pattern, hatch colour) pair, drawn over the solid fill, and its own
# point type, so figures stay readable in greyscale. Hatch patterns (pngcairo
# and svg): 0 none, 1 cross-hatch, 2 dense cross-hatch, 4 "\\", 5 "//",
# 6 dense "\\", 7 dense "//". The hatch is white on dark fills and black on
# light ones.
#
#   architecture      colour            hatch               point type
#   monolithic        #332288 indigo    none                7  filled circle
#   mach              #CC6677 rose      4 "\\" black        5  filled square
#   mach-multiserver  #882255 wine      6 dense "\\" white  4  open square
#   l4                #44AA99 teal      5 "//" black        9  filled triangle
#   l4-multiserver    #117733 green     7 dense "//" white  8  open triangle
#   exokernel         #DDCC77 sand      1 cross black       13 filled diamond
#   vm-bt             #88CCEE cyan      2 dense cross black 11 filled triangle down
#   vm-pv             #999933 olive     4 "\\" white        10 open triangle down
#   vm-hw             #AA4499 purple    5 "//" white        15 filled pentagon
#   vm-hw-ept         #000000 black     1 cross white       14 open pentagon
#   (anything else)   #BBBBBB grey      none                6  open circle
#
# Use: lc rgb arch_color(name); fs transparent pattern arch_pattern(name)
# with lc rgb arch_hatch(name); pt arch_pt(name).

arch_color(a) = \
    a eq "monolithic"       ? "#332288" : \
    a eq "mach"             ? "#CC6677" : \
    a eq "mach-multiserver" ? "#882255" : \
    a eq "l4"               ? "#44AA99" : \
    a eq "l4-multiserver"   ? "#117733" : \
    a eq "exokernel"        ? "#DDCC77" : \
    a eq "vm-bt"            ? "#88CCEE" : \
    a eq "vm-pv"            ? "#999933" : \
    a eq "vm-hw"            ? "#AA4499" : \
    a eq "vm-hw-ept"        ? "#000000" : \
                              "#BBBBBB"

arch_pattern(a) = \
    a eq "monolithic"       ? 0 : \
    a eq "mach"             ? 4 : \
    a eq "mach-multiserver" ? 6 : \
    a eq "l4"               ? 5 : \
    a eq "l4-multiserver"   ? 7 : \
    a eq "exokernel"        ? 1 : \
    a eq "vm-bt"            ? 2 : \
    a eq "vm-pv"            ? 4 : \
    a eq "vm-hw"            ? 5 : \
    a eq "vm-hw-ept"        ? 1 : \
                              0

arch_hatch(a) = \
    a eq "mach-multiserver" || a eq "l4-multiserver" || a eq "vm-pv" || \
    a eq "vm-hw" || a eq "vm-hw-ept" || a eq "monolithic" ? "#FFFFFF" : "#000000"

arch_pt(a) = \
    a eq "monolithic"       ? 7  : \
    a eq "mach"             ? 5  : \
    a eq "mach-multiserver" ? 4  : \
    a eq "l4"               ? 9  : \
    a eq "l4-multiserver"   ? 8  : \
    a eq "exokernel"        ? 13 : \
    a eq "vm-bt"            ? 11 : \
    a eq "vm-pv"            ? 10 : \
    a eq "vm-hw"            ? 15 : \
    a eq "vm-hw-ept"        ? 14 : \
                              6
