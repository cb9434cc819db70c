/* Every page: tells the style sheet that JavaScript runs (controls that need it, .needs-js, show up only
   then), the print and copy buttons, and "Ma sélection" kept in the browser.

   The selection lives in the URL (services/selection.py): without JavaScript the pages carry it along their
   links. With JavaScript the browser keeps it (localStorage), the "Ajouter à ma sélection" links become toggle
   buttons and the "Ma sélection" links point to /selection/?s=… The selection page makes its list the current
   one (a link someone shared); other pages whose URL carries a selection (browsed without JavaScript) add it. */
(function () {
  "use strict";

  document.documentElement.classList.add("has-js");

  var KEY = "ma-selection";
  var MAX = 30;

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  var status = document.getElementById("copy-status");
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    if (!navigator.clipboard) {
      button.parentNode.removeChild(button);
      return;
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(
        function () {
          if (status) status.textContent = "Lien copié.";
        },
        function () {
          if (status) status.textContent = "Le lien n'a pas pu être copié : sélectionnez-le et copiez-le.";
        }
      );
    });
  });

  function read() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (id) { return typeof id === "string" && id; }) : [];
    } catch (error) {
      return [];
    }
  }

  function write(ids) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(ids.slice(0, MAX)));
    } catch (error) {
      /* storage unavailable (private browsing): the links still carry the selection */
    }
  }

  function selectionUrl(link, ids) {
    var params = new URLSearchParams();
    ids.forEach(function (id) {
      params.append("s", id);
    });
    var query = params.toString();
    return link.pathname + (query ? "?" + query : "");
  }

  function update() {
    var ids = read();
    Array.prototype.forEach.call(document.querySelectorAll("[data-selection-link]"), function (link) {
      link.setAttribute("href", selectionUrl(link, ids));
      var count = link.querySelector("[data-selection-count]");
      if (count) count.textContent = ids.length ? "(" + ids.length + ")" : "";
    });
    Array.prototype.forEach.call(document.querySelectorAll("a[data-select]"), function (link) {
      // A button: it changes the selection here, it does not lead to another page.
      var button = document.createElement("button");
      button.type = "button";
      button.className = link.className;
      button.setAttribute("data-select", link.getAttribute("data-select"));
      while (link.firstChild) button.appendChild(link.firstChild);
      link.parentNode.replaceChild(button, link);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-select]"), function (toggle) {
      var selected = ids.indexOf(toggle.getAttribute("data-select")) !== -1;
      toggle.setAttribute("aria-pressed", selected ? "true" : "false");
      toggle.classList.toggle("fr-icon-star-fill", selected);
      toggle.classList.toggle("fr-icon-star-line", !selected);
      var label = toggle.querySelector("[data-select-label]");
      if (label) label.textContent = selected ? "Retirer de ma sélection" : "Ajouter à ma sélection";
    });
  }

  var params = new URLSearchParams(window.location.search);
  var onSelectionPage = !!document.querySelector("[data-selection-page]");
  if (onSelectionPage) {
    write(params.getAll("s"));
  } else if (params.has("s")) {
    write(read().concat(params.getAll("s").filter(function (id) { return read().indexOf(id) === -1; })));
  }
  if (params.has("s") && !onSelectionPage) {
    // The browser keeps the selection now: the search's links and address leave it out.
    Array.prototype.forEach.call(document.querySelectorAll("[data-selection-input]"), function (input) {
      input.parentNode.removeChild(input);
    });
    params.delete("s");
    var query = params.toString();
    window.history.replaceState(window.history.state, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest ? event.target.closest("[data-select]") : null;
    if (!toggle) return;
    event.preventDefault();
    var id = toggle.getAttribute("data-select");
    var ids = read();
    var index = ids.indexOf(id);
    if (index === -1) {
      if (ids.length >= MAX) return;
      ids.push(id);
    } else {
      ids.splice(index, 1);
    }
    write(ids);
    update();
  });
  // Cards swapped in by htmx show the selection too.
  document.body.addEventListener("htmx:afterSettle", update);
  window.addEventListener("storage", update);
  update();
})();
