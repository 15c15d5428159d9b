// Medlemsportal's own script: small, no inline code (the CSP allows only scripts from this origin).
// After a submit that failed, move the focus to the error summary, so that keyboard and screen-reader
// users land on what went wrong, with links to each field (WCAG 3.3.1, as GOV.UK's pattern does).
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
  });
  // Forms that htmx submits and re-renders in place get the same.
  document.addEventListener("htmx:afterSwap", function (event) {
    focusErrorSummary(event.target);
  });
})();
