// The book's tables and charts on the website (sosai.datatable, sosai.charts): one
// script for both, so a page with tables and charts makes one request for them.

// Data tables (sosai.datatable): when a table is wider than the page, say so above it
// and shade the edge that hides more columns. The table itself is complete without
// this script; the header row and first column stay in view through CSS alone.
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

  function init() {
    document.querySelectorAll("article table.sosai-data-table").forEach(function (table) {
      if (table.parentElement.classList.contains("pst-scrollable-table-container")) {
        watch(table.parentElement);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// Charts (sosai.charts): opening a chart shows it in a full-window view at its drawn
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
