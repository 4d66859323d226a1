/* jiliang — small page helpers (our own; no framework). */
(function () {
  "use strict";

  // Ask before a form whose submit button carries data-confirm is sent (e.g. scrapping an instrument).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Forms marked data-autosubmit send themselves when a select changes. When HTMX is loaded it handles the
  // same forms through hx-get/hx-trigger, so this is only the fallback.
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-autosubmit") || window.htmx) {
      return;
    }
    if (event.target.tagName === "SELECT") {
      form.requestSubmit();
    }
  });
})();
