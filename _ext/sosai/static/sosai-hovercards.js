// Hover and focus cards for glossary terms and citations (sosai.hovercards).
// Each link's title (set at build time) becomes a card that opens on mouse hover
// and on keyboard focus, is announced through aria-describedby, and closes on
// Escape, blur or mouse leave. No network, no dependencies.
(function () {
  "use strict";
  var SELECTOR = "article a.sosai-term[title], article .bibtex-citation a[title]";
  var card = null;
  var owner = null;

  function ensureCard() {
    if (!card) {
      card = document.createElement("div");
      card.id = "sosai-hovercard";
      card.className = "sosai-hovercard";
      card.setAttribute("role", "tooltip");
      card.hidden = true;
      document.body.appendChild(card);
    }
    return card;
  }

  function show(link) {
    var box = ensureCard();
    owner = link;
    box.textContent = link.dataset.sosaiCard;
    box.hidden = false;
    link.setAttribute("aria-describedby", box.id);
    var rect = link.getBoundingClientRect();
    var width = Math.min(360, document.documentElement.clientWidth - 16);
    box.style.maxWidth = width + "px";
    var left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    box.style.left = window.scrollX + left + "px";
    box.style.top = window.scrollY + rect.bottom + 6 + "px";
  }

  function hide() {
    if (card && owner) {
      owner.removeAttribute("aria-describedby");
      card.hidden = true;
      owner = null;
    }
  }

  function init() {
    document.querySelectorAll(SELECTOR).forEach(function (link) {
      link.dataset.sosaiCard = link.getAttribute("title");
      link.removeAttribute("title"); // the card replaces the browser's tooltip
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("mouseleave", hide);
      link.addEventListener("blur", hide);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
