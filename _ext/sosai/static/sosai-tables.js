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
