// Chapter 4 (figures.kinetics.memory_persistence), after find_row.js: show row i.
// Arguments: grid, shown, readout, last_span, back_span.
readout.text = grid.data.readout[i];
shown.data = {t: shown.data.t, car: grid.data.car[i], b: grid.data.b[i]};
last_span.location = grid.data.last_day[i];
const back = grid.data.return_day[i];
back_span.visible = back !== null && Number.isFinite(back);
if (back_span.visible) { back_span.location = back; }
