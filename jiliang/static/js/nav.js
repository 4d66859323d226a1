/* jiliang — the menu button of small screens: it opens and closes the side menu (templates/includes/nav.html).
   Loaded in <head> without defer so that the page is marked as scripted before its first paint: without this
   script (or without JavaScript) a phone shows the menu open, above the page, rather than a button that does
   nothing. The listeners sit on the document, so they work before the body exists and after HTMX swaps. */
(function () {
  "use strict";

  document.documentElement.classList.add("nav-js");

  function menuOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    var menu = menuOf(button);
    if (!menu) {
      return;
    }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".nav-toggle");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    }
  });

  // A long menu scrolls on its own: bring the current page's entry into it when it is below the fold.
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.getElementById("mainnav");
    var current = menu && menu.querySelector('[aria-current="page"]');
    if (current && current.offsetTop + current.offsetHeight > menu.clientHeight) {
      menu.scrollTop = current.offsetTop - menu.clientHeight / 2;
    }
  });

  // Escape closes the open menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var button = document.querySelector('.nav-toggle[aria-expanded="true"]');
    if (button) {
      setOpen(button, false);
      button.focus();
    }
  });
})();
