# key.gp: a legend of filled, hatched swatches drawn as objects, because
# gnuplot's own key can show a fill or a hatch but not both. (Library.)
#
# Before `load 'plots/key.gp'` define:
#   key_n            number of entries
#   key_text(i)      label of entry i
#   key_fill(i)      fill colour ("#RRGGBB")
#   key_pat(i)       hatch pattern (0 = none)
#   key_hatch(i)     hatch colour
#   key_y            screen y of the centre of the first row
# Entries flow left to right, wrap into more rows when the width runs out,
# and each row is centred on the canvas. Sets key_bottom (screen
# y of the lower edge of the last row). Uses object and label tags 1000+i
# and 2000+i; `key_unset` removes them again (eval key_unset).

key_sw = 0.03      # swatch width
key_sh = 0.034     # swatch height
key_gap = 0.007    # swatch to text
key_sep = 0.024    # between entries
key_row = 0.048    # row pitch
key_l = 0.03       # the key may be wider than the plot area
key_width = 0.94
array key_x[key_n]
array key_r[key_n]
array key_rw[key_n]
key_rows = 1
key_pos = 0
do for [i=1:key_n] {
    key_ew = key_sw + key_gap + strlen(key_text(i)) * char_w
    if (key_pos > 0 && key_pos + key_ew > key_width) { key_rows = key_rows + 1; key_pos = 0 }
    key_x[i] = key_pos
    key_r[i] = key_rows
    key_pos = key_pos + key_ew + key_sep
    key_rw[key_rows] = key_pos - key_sep
}
do for [i=1:key_n] {
    key_x0 = key_l + (key_width - key_rw[key_r[i]]) / 2 + key_x[i]
    key_y0 = key_y - (key_r[i] - 1) * key_row
    set object 1000+i rect from screen key_x0, key_y0 - key_sh/2 to screen key_x0 + key_sw, key_y0 + key_sh/2 \
        fc rgb key_fill(i) fs solid 1.0 border lc rgb "#333333" lw 0.5 front
    if (key_pat(i) > 0) {
        set object 2000+i rect from screen key_x0, key_y0 - key_sh/2 to screen key_x0 + key_sw, key_y0 + key_sh/2 \
            fc rgb key_hatch(i) fs transparent pattern key_pat(i) noborder front
    }
    set label 1000+i key_text(i) at screen key_x0 + key_sw + key_gap, key_y0 left noenhanced front
}
key_bottom = key_y - (key_rows - 1) * key_row - key_sh / 2
key_unset = "do for [i=1:key_n] { unset object 1000+i; unset object 2000+i; unset label 1000+i }"
