// Chapter 8 (figures.costs.cost_assumptions), after find_row.js: show row i.
// Arguments: grid, shown, readout, columns, options, lead.
readout.text = lead + columns.map((c, j) => options[j].toLowerCase()
  + ' <span class="explorable-value" data-value="' + String(grid.data["exact_" + c][i]) + '">'
  + "USD " + grid.data["label_" + c][i] + " thousand</span>").join("; ") + ".</p>";
shown.data = {option: shown.data.option, cost: columns.map((c) => grid.data[c][i]),
              label: columns.map((c) => grid.data["label_" + c][i])};
