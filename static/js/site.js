// network's own script: small, optional. Every page works without it.
(function () {
  "use strict";
  // After htmx swaps the whole page (hx-boost), move focus to the main content, as a real
  // page load would for screen readers.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.boosted) {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
  });
})();
