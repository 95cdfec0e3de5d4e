// Comments under each chapter (sosai.features.footer): utterances threads, loaded only when
// the reader asks. Until then the page makes no request to GitHub or utteranc.es.
// The settings come from _config.yml (html.comments.utterances) via SOSAI_UTTERANCES.
(function () {
  "use strict";

  function load(container, settings, button) {
    var script = document.createElement("script");
    script.src = "https://utteranc.es/client.js";
    script.async = true;
    script.setAttribute("repo", settings.repo);
    script.setAttribute("issue-term", settings["issue-term"] || "pathname");
    script.setAttribute("label", settings.label || "comments");
    script.setAttribute("theme", settings.theme || "preferred-color-scheme");
    script.setAttribute("crossorigin", "anonymous");
    container.appendChild(script);
    button.remove();
  }

  function init() {
    var settings = window.SOSAI_UTTERANCES;
    if (!settings || !settings.repo) { return; }
    document.querySelectorAll("div.sosai-comments").forEach(function (container) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sosai-comments-button";
      button.textContent = "Show comments (loads GitHub discussion via utteranc.es)";
      button.addEventListener("click", function () { load(container, settings, button); });
      container.appendChild(button);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
