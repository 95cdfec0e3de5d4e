// The book's tables and charts on the website (sosai.features.datatable, sosai.features.charts): one
// script for both, so a page with tables and charts makes one request for them.

// Data tables (sosai.features.datatable): readers can sort by any column, filter the rows by
// typing or by the values of chosen columns (facets), and tick two to four rows to
// compare them side by side; when a table is
// wider than the page, a line above it says so and the edge that hides more columns
// is shaded. Each cell gets its column's header as data-label, which the print
// stylesheet shows when it prints a wide table row by row. The table itself is
// complete without this script; the header row and first column stay in view
// through CSS alone.
(function () {
  "use strict";

  function watch(box) {
    var table = box.querySelector("table.sosai-data-table");
    var hint = document.createElement("p");
    hint.className = "sosai-table-hint";
    var columns = table.tHead ? table.tHead.rows[0].cells.length : 0;
    hint.textContent = "Scroll the table sideways to see all " + columns + " columns.";
    hint.hidden = true;
    box.parentNode.insertBefore(hint, box);
    function update() {
      var wide = box.scrollWidth > box.clientWidth + 1;
      hint.hidden = !wide;
      box.classList.toggle("sosai-more-right", wide && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
      box.classList.toggle("sosai-more-left", wide && box.scrollLeft > 1);
    }
    box.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  // Sorting: each column header becomes a button; a click (or Enter, Space) sorts by
  // that column, descending first for numbers and dates, ascending first for text,
  // then the other way. Empty cells ("—") stay last. aria-sort says the order.
  var EMPTY = "\u2014";

  function cellKey(cell) {
    var text = cell ? cell.textContent.trim() : "";
    if (!text || text === EMPTY) { return null; }
    var number = Number(text.replace(/,/g, ""));
    if (!isNaN(number)) { return number; }
    if (/^\d{4}-\d{2}(-\d{2})?$/.test(text)) { return text; }
    return text.toLowerCase();
  }

  function sortable(table) {
    var body = table.tBodies[0];
    if (!table.tHead || !body) { return; }
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th, column) {
      var label = th.textContent.trim();
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sosai-sort";
      button.textContent = label;
      th.replaceChildren(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var rows = Array.prototype.slice.call(body.rows);
        var keys = rows.map(function (row) { return cellKey(row.cells[column]); });
        var numeric = keys.some(function (k) { return typeof k === "number"; }) ||
          keys.some(function (k) { return typeof k === "string" && /^\d{4}-/.test(k); });
        var current = th.getAttribute("aria-sort");
        var descending = current === "none" ? numeric : current === "ascending";
        var order = rows.map(function (row, i) { return i; });
        order.sort(function (a, b) {
          var x = keys[a], y = keys[b];
          if (x === null || y === null) { return (x === null) - (y === null) || a - b; }
          var c = x < y ? -1 : x > y ? 1 : 0;
          return (descending ? -c : c) || a - b;
        });
        order.forEach(function (i) { body.appendChild(rows[i]); });
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
    });
  }

  // Filtering: a search box above the table keeps the rows that contain every word
  // typed. Columns marked as facets (sosai.features.datatable: th.sosai-facet) get a
  // labelled list of their values each, applied together with the words. A live line
  // says how many rows are shown, in the table's own word for them (sosai-rows-models).
  function filterable(table, box) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var total = rows.length;
    var noun = (table.className.match(/\bsosai-rows-([a-z0-9-]+)/) || [0, "rows"])[1];
    var bar = document.createElement("p");
    bar.className = "sosai-table-filter";
    var label = document.createElement("label");
    label.textContent = "Filter rows ";
    var input = document.createElement("input");
    input.type = "search";
    input.autocomplete = "off";
    label.appendChild(input);
    bar.appendChild(label);
    var facets = [];
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, column) {
      if (!th.classList.contains("sosai-facet")) { return; }
      var values = [];
      rows.forEach(function (row) {
        var value = row.cells[column].textContent.trim();
        if (values.indexOf(value) === -1) { values.push(value); }
      });
      values.sort(function (a, b) { return (a === EMPTY) - (b === EMPTY) || (a < b ? -1 : a > b ? 1 : 0); });
      var select = document.createElement("select");
      select.add(new Option("any", ""));
      values.forEach(function (v) { select.add(new Option(v === EMPTY ? "not known" : v, v)); });
      var facet = document.createElement("label");
      facet.className = "sosai-facet-label";
      facet.textContent = th.textContent.trim() + " ";
      facet.appendChild(select);
      bar.appendChild(facet);
      facets.push({ column: column, select: select });
    });
    if (facets.length) { bar.classList.add("sosai-table-facets"); }
    var count = document.createElement("span");
    count.className = "sosai-table-count";
    count.setAttribute("aria-live", "polite");
    count.textContent = total + " " + noun;
    bar.appendChild(count);
    box.parentNode.insertBefore(bar, box);
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var chosen = facets.filter(function (f) { return f.select.value; });
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var keep = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
          chosen.every(function (f) { return row.cells[f.column].textContent.trim() === f.select.value; });
        row.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      count.textContent = (words.length || chosen.length ? shown + " of " : "") + total + " " + noun;
    }
    input.addEventListener("input", apply);
    facets.forEach(function (f) { f.select.addEventListener("change", apply); });
  }

  // Comparing: a tick box in each row's first cell; with two to four rows ticked, a
  // panel above the table shows them side by side, one column per row, every field
  // (sources included) on its own line.
  var MAX_COMPARED = 4;

  function comparable(table, box) {
    var body = table.tBodies[0];
    if (!table.tHead || !body) { return; }
    var panel = document.createElement("section");
    panel.className = "sosai-compare";
    panel.hidden = true;
    panel.setAttribute("aria-live", "polite");
    box.parentNode.insertBefore(panel, box);
    var ticked = [];

    function render() {
      panel.replaceChildren();
      panel.hidden = ticked.length < 2;
      if (panel.hidden) { return; }
      var heading = document.createElement("p");
      heading.className = "sosai-compare__title";
      heading.textContent = "Comparing " + ticked.length + " rows";
      var clear = document.createElement("button");
      clear.type = "button";
      clear.textContent = "Clear";
      clear.addEventListener("click", function () {
        ticked.slice().forEach(function (row) { row.querySelector("input.sosai-tick").click(); });
      });
      heading.appendChild(document.createTextNode(" "));
      heading.appendChild(clear);
      panel.appendChild(heading);
      var grid = document.createElement("table");
      grid.className = "sosai-compare__table";
      var headers = table.tHead.rows[0].cells;
      for (var c = 0; c < headers.length; c++) {
        var tr = grid.insertRow();
        var th = document.createElement("th");
        th.scope = "row";
        th.textContent = headers[c].textContent.trim();
        tr.appendChild(th);
        ticked.forEach(function (row) {
          var td = tr.insertCell();
          var copy = row.cells[c].cloneNode(true);
          copy.querySelectorAll("input.sosai-tick").forEach(function (i) { i.parentNode.remove(); });
          td.replaceChildren.apply(td, Array.prototype.slice.call(copy.childNodes));
        });
      }
      var scroller = document.createElement("div");
      scroller.className = "sosai-compare__scroll";
      scroller.appendChild(grid);
      panel.appendChild(scroller);
    }

    Array.prototype.forEach.call(body.rows, function (row) {
      var cell = row.cells[0];
      var label = document.createElement("label");
      label.className = "sosai-tick-label";
      var tick = document.createElement("input");
      tick.type = "checkbox";
      tick.className = "sosai-tick";
      tick.setAttribute("aria-label", "Compare " + cell.textContent.trim());
      label.appendChild(tick);
      var line = cell.querySelector("p") || cell;  // inside the name's paragraph: same line
      line.insertBefore(label, line.firstChild);
      tick.addEventListener("change", function () {
        if (tick.checked && ticked.length >= MAX_COMPARED) {
          tick.checked = false;  // at most four: the panel must stay readable
          return;
        }
        ticked = tick.checked ? ticked.concat([row]) : ticked.filter(function (r) { return r !== row; });
        render();
      });
    });
  }

  function labelled(table) {
    if (!table.tHead || !table.tBodies[0]) { return; }
    var headers = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
      return th.textContent.trim();
    });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, i) {
        cell.setAttribute("data-label", headers[i] || "");
      });
    });
    table.classList.add("sosai-labelled");
  }

  function init() {
    document.querySelectorAll("article table.sosai-data-table").forEach(function (table) {
      labelled(table);
      if (table.parentElement.classList.contains("pst-scrollable-table-container")) {
        filterable(table, table.parentElement);
        comparable(table, table.parentElement);
        watch(table.parentElement);
      }
      sortable(table);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// Charts (sosai.features.charts): opening a chart shows it in a full-window view at its drawn
// size, with its caption, instead of the bare SVG file. On a phone the view scrolls
// sideways, so the labels keep the size they were drawn at. Escape, the close button
// or a tap outside the chart closes it. Without this script the link opens the SVG.
(function () {
  "use strict";
  var dialog = null;

  function ensureDialog() {
    if (dialog) { return dialog; }
    dialog = document.createElement("dialog");
    dialog.className = "sosai-chart-view";
    dialog.setAttribute("aria-label", "Chart");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "sosai-chart-view__close";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    var frame = document.createElement("div");
    frame.className = "sosai-chart-view__frame";
    var caption = document.createElement("p");
    caption.className = "sosai-chart-view__caption";
    dialog.appendChild(close);
    dialog.appendChild(frame);
    dialog.appendChild(caption);
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); } // the backdrop
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function open(figure, link) {
    var view = ensureDialog();
    var image = figure.querySelector("img");
    var copy = document.createElement("img");
    copy.src = link.href;
    copy.alt = image ? image.alt : "";
    var frame = view.querySelector(".sosai-chart-view__frame");
    frame.replaceChildren(copy);
    var caption = figure.querySelector("figcaption");
    view.querySelector(".sosai-chart-view__caption").textContent =
      caption ? caption.textContent.replace(/#\s*$/, "").trim() : "";
    view.showModal();
  }

  function init() {
    document.querySelectorAll("article figure.sosai-chart").forEach(function (figure) {
      var link = figure.querySelector("a.image-reference");
      if (!link) { return; }
      link.setAttribute("aria-haspopup", "dialog");
      link.addEventListener("click", function (event) {
        if (event.metaKey || event.ctrlKey || event.shiftKey) { return; } // new tab: the SVG
        event.preventDefault();
        open(figure, link);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
