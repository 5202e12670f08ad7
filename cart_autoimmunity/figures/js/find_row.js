// The look-up shared by every figure's callback: find the grid row whose level indices
// match the lists. Arguments: grid (ColumnDataSource), selects (the Select widgets), levels
// (the grid's level-index columns). Sets i (the row), or returns when no row matches.
const picked = selects.map((s) => Number(s.value));
const n = grid.data[levels[0]].length;
let i = -1;
for (let k = 0; k < n && i < 0; k++) {
  if (levels.every((name, j) => grid.data[name][k] === picked[j])) { i = k; }
}
if (i < 0) { return; }
