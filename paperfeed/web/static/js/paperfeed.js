/* paperfeed UI: math rendering and small conveniences. External file because the CSP
   forbids inline scripts. Everything here is progressive enhancement: pages work without it. */
(function () {
  "use strict";

  var MATH_OPTIONS = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "$", right: "$", display: false }
    ],
    ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option", "input"],
    throwOnError: false,
    strict: "ignore",
    trust: false,
    maxExpand: 200,
    maxSize: 20
  };

  /* Render $…$ and \(…\) in titles/abstracts (elements marked .math) under root. The server
     has already escaped the text; KaTeX reads text nodes, so markup in a title stays text. */
  function renderMath(root) {
    if (typeof window.renderMathInElement !== "function") return;
    var nodes = root.querySelectorAll ? root.querySelectorAll(".math") : [];
    if (root.classList && root.classList.contains("math")) nodes = [root].concat(Array.prototype.slice.call(nodes));
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.dataset.mathDone) return;
      try {
        window.renderMathInElement(el, MATH_OPTIONS);
      } catch (e) {
        /* leave the text as it was */
      }
      el.dataset.mathDone = "1";
    });
  }

  function selectOnFocus(root) {
    var inputs = root.querySelectorAll ? root.querySelectorAll("[data-select-on-focus]") : [];
    Array.prototype.forEach.call(inputs, function (el) {
      el.addEventListener("focus", function () { el.select(); });
    });
  }

  function enhance(root) {
    renderMath(root);
    selectOnFocus(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    enhance(document.body);
  });
  /* htmx swaps in new fragments (vote buttons, save panels): enhance them too. */
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
