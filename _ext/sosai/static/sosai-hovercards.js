// Hover and focus cards for glossary terms and citations (sosai.features.hovercards).
// Each link's title (set at build time) becomes a card that opens on mouse hover
// and on keyboard focus, is announced through aria-describedby, and closes on
// Escape, blur or mouse leave. It opens above the link when there is no room below.
// On a touch screen the first tap opens the card, with a link to the glossary entry
// or reference; a second tap on the same link follows it. No network, no dependencies.
(function () {
  "use strict";
  var SELECTOR = "article a.sosai-term[title], article .bibtex-citation a[title]";
  var GAP = 6; // pixels between the link and its card
  var card = null;
  var owner = null;
  var openedByTouch = false; // the card was opened by a tap, so it carries a link
  var touching = false; // the current click comes from a tap
  var wasOpenAtTouch = false; // the tapped link's card was already open by a tap

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

  function place(link, box) {
    var rect = link.getBoundingClientRect();
    var viewWidth = document.documentElement.clientWidth;
    var viewHeight = document.documentElement.clientHeight;
    var width = Math.min(360, viewWidth - 16);
    box.style.maxWidth = width + "px";
    var left = Math.max(8, Math.min(rect.left, viewWidth - width - 8));
    box.style.left = window.scrollX + left + "px";
    var height = box.offsetHeight;
    var below = rect.bottom + GAP;
    var above = rect.top - GAP - height;
    var flip = below + height > viewHeight && above >= 0;
    box.classList.toggle("sosai-hovercard--above", flip);
    box.style.top = window.scrollY + (flip ? above : below) + "px";
  }

  function show(link, withLink) {
    var box = ensureCard();
    owner = link;
    openedByTouch = Boolean(withLink);
    box.textContent = link.dataset.sosaiCard;
    if (withLink) {
      var go = document.createElement("a");
      go.className = "sosai-hovercard__go";
      go.href = link.href;
      go.textContent = link.classList.contains("sosai-term")
        ? "Open in the glossary"
        : "Go to the reference";
      box.appendChild(document.createTextNode(" "));
      box.appendChild(go);
    }
    box.hidden = false;
    link.setAttribute("aria-describedby", box.id);
    place(link, box);
  }

  function hide() {
    if (card && owner) {
      owner.removeAttribute("aria-describedby");
      card.hidden = true;
      owner = null;
      openedByTouch = false;
    }
  }

  function init() {
    document.querySelectorAll(SELECTOR).forEach(function (link) {
      link.dataset.sosaiCard = link.getAttribute("title");
      link.removeAttribute("title"); // the card replaces the browser's tooltip
      link.addEventListener("pointerdown", function (event) {
        touching = event.pointerType === "touch";
        wasOpenAtTouch = touching && owner === link && openedByTouch;
      });
      link.addEventListener("click", function (event) {
        if (touching && !wasOpenAtTouch) {
          event.preventDefault(); // first tap: show the card, stay on the page
          show(link, true);
        }
        touching = false;
      });
      link.addEventListener("mouseenter", function () {
        if (!touching) { show(link, false); }
      });
      link.addEventListener("focus", function () {
        if (!touching) { show(link, false); }
      });
      link.addEventListener("mouseleave", function () {
        if (!openedByTouch) { hide(); }
      });
      link.addEventListener("blur", function () {
        if (!openedByTouch) { hide(); }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); }
    });
    // A tap outside the link and its card closes a card opened by a tap.
    document.addEventListener("pointerdown", function (event) {
      if (openedByTouch && owner && !owner.contains(event.target) &&
          !(card && card.contains(event.target))) {
        hide();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
