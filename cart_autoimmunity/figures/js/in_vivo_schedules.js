// Chapter 10 (figures.in_vivo.in_vivo_schedules), after find_row.js: show row i.
// Arguments: grid, shown, doses_shown, readout.
readout.text = grid.data.readout[i];
shown.data = {t: grid.data.t[i], b: grid.data.b[i], cytokine: grid.data.cytokine[i]};
const days = grid.data.dose_days[i];
doses_shown.data = {day: days, y: days.map(() => 150.0)};
