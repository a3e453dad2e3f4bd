/* Tuoyu: behaviour every page shares (the Content-Security-Policy allows scripts from our origin only). */
(function () {
  "use strict";

  // A table wider than the screen scrolls sideways inside its box (.table-wrap). While it does, the box
  // takes the keyboard focus, so the arrow keys scroll it (WCAG 2.1.1); it is named after the table's
  // caption where there is one. A box that fits takes no Tab stop.
  function markScrollingTables(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scrolls", "");
        var caption = box.querySelector("caption");
        if (caption && caption.textContent.trim()) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (!scrolls && box.hasAttribute("data-scrolls")) {
        ["tabindex", "data-scrolls", "role", "aria-label"].forEach(function (a) { box.removeAttribute(a); });
      }
    });
  }

  markScrollingTables();
  window.addEventListener("resize", function () { markScrollingTables(); });
  document.addEventListener("htmx:afterSettle", function () { markScrollingTables(); });
})();
