/* Search pages enhancements: commune autocomplete, "autour de moi", htmx error display, the filters panel of
   phones, the active filters' chips. The pages work without this file: the form is a plain GET form, the panel
   a page anchor (#filtres), the chips links. */
(function () {
  "use strict";

  var form = document.getElementById("services-search-form");
  if (!form) return;

  if (window.htmx) {
    // Invalid searches answer 400 with a French message to show in place of the results.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "400", swap: true },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
    var showError = function () {
      var results = document.getElementById("services-results");
      if (!results) return;
      results.innerHTML =
        '<div class="fr-alert fr-alert--error" role="alert"><p>La recherche n\u2019a pas pu aboutir. ' +
        "Vérifiez votre connexion puis réessayez.</p></div>";
    };
    document.body.addEventListener("htmx:responseError", showError);
    document.body.addEventListener("htmx:sendError", showError);
    // Empty fields say nothing: the address people share stays short.
    document.body.addEventListener("htmx:configRequest", function (event) {
      var data = event.detail.formData;
      if (!data) return;
      Array.from(data.keys()).forEach(function (name) {
        var values = data.getAll(name).filter(function (value) { return value !== ""; });
        data.delete(name);
        values.forEach(function (value) { data.append(name, value); });
      });
      if (event.detail.elt === form) shown = serialize(form);
    });
    // Submitting what the results already show asks nothing again (nor adds a step to the back button).
    document.addEventListener(
      "submit",
      function (event) {
        if (event.target === form && form.hasAttribute("hx-get") && serialize(form) === shown) {
          event.preventDefault();
          event.stopPropagation();
          form.dispatchEvent(new CustomEvent("services:unchanged"));
        }
      },
      true
    );
  }

  // The home page's form is a plain one: its empty fields stay out of the address too.
  if (!form.hasAttribute("hx-get")) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (control) {
        if (control.name && control.value === "" && control.tagName === "INPUT") control.disabled = true;
      });
      // Back to this page (the browser keeps it): the fields work again.
      window.addEventListener("pageshow", function () {
        Array.prototype.forEach.call(form.elements, function (control) { control.disabled = false; });
      }, { once: true });
    });
  }

  function serialize(element) {
    var params = new URLSearchParams();
    new FormData(element).forEach(function (value, name) {
      if (value !== "") params.append(name, value);
    });
    return params.toString();
  }
  var shown = serialize(form);

  var input = document.getElementById("id_commune");
  var code = document.getElementById("id_code_commune");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var list = document.getElementById("communes-suggestions");
  var timer = null;
  var active = -1;
  var lastQuery = null;

  function options() {
    return list ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
  }

  function close() {
    if (!list) return;
    list.hidden = true;
    list.innerHTML = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = options();
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function choose(item) {
    input.value = item.getAttribute("data-label");
    code.value = item.getAttribute("data-code");
    lat.value = "";
    lon.value = "";
    close();
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function suggest() {
    var query = input.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 2 && !/^\d/.test(query)) {
      close();
      return;
    }
    var url = input.getAttribute("data-autocomplete-url") + "?q=" + encodeURIComponent(query);
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (input.value.trim() !== query) return; // a newer query is on its way
        var template = document.createElement("template");
        template.innerHTML = html;
        var fragment = template.content.querySelector("#communes-suggestions");
        list.innerHTML = fragment ? fragment.innerHTML : "";
        var count = options().length;
        if (count === 1 && /^\d{5}$/.test(query)) {
          // A postal code of a single commune: that is the one.
          choose(options()[0]);
          return;
        }
        list.hidden = count === 0;
        input.setAttribute("aria-expanded", count ? "true" : "false");
        active = -1;
      })
      .catch(close);
  }

  if (input && code && list) {
    input.addEventListener("input", function () {
      // Typing again forgets the commune chosen before.
      code.value = "";
      lat.value = "";
      lon.value = "";
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options().length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) suggest();
        highlight(active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    // A change of the text field alone must not search before a commune is chosen.
    input.addEventListener("change", function (event) {
      if (!list.hidden) event.stopPropagation();
    });
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest('[role="option"]');
      if (item) {
        event.preventDefault();
        choose(item);
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  var aroundMe = document.getElementById("services-around-me");
  var status = document.getElementById("services-around-me-status");
  if (aroundMe && !("geolocation" in navigator)) {
    aroundMe.parentNode.removeChild(aroundMe);
  } else if (aroundMe) {
    aroundMe.addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(5);
          lon.value = position.coords.longitude.toFixed(5);
          code.value = "";
          input.value = "";
          status.textContent = "Position trouvée : services autour de vous.";
          form.requestSubmit();
        },
        function () {
          status.textContent = "Position indisponible : indiquez votre commune.";
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
  }

  // Phones: the filters open above the results ("Filtrer (N)") and close once applied.
  var layout = document.querySelector(".services-layout");
  var filterToggle = document.querySelector(".services-filter-toggle");
  var panel = document.getElementById("filtres");
  function setFilters(open, focus) {
    if (!layout || !filterToggle) return;
    layout.classList.toggle("services-layout--filters-open", open);
    filterToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (focus) (open ? panel : filterToggle).focus();
  }
  if (filterToggle && panel) {
    setFilters(window.location.hash === "#filtres", false);
    filterToggle.addEventListener("click", function (event) {
      event.preventDefault();
      setFilters(!layout.classList.contains("services-layout--filters-open"), true);
    });
    var close = panel.querySelector(".services-filters__close");
    if (close) {
      close.addEventListener("click", function (event) {
        event.preventDefault();
        setFilters(false, true);
      });
    }
    var applied = function () {
      if (layout.classList.contains("services-layout--filters-open")) {
        setFilters(false, false);
        document.getElementById("resultats").scrollIntoView();
      }
    };
    form.addEventListener("submit", applied);
    form.addEventListener("services:unchanged", applied);
  }

  // The active filters' chips untick the same control of the form, which refreshes the results.
  var KEPT_ON_CLEAR = ["commune", "code_commune", "lat", "lon", "s"];
  function clearControl(control) {
    if (control.type === "checkbox") control.checked = false;
    else if (control.type === "radio") control.checked = control.value === "";
    else if (control.tagName === "SELECT") control.value = control.name === "rayon_km" ? "50" : "";
    else if (control.type !== "hidden") control.value = "";
  }
  document.addEventListener("click", function (event) {
    var chip = event.target.closest ? event.target.closest("#services-results [data-clear]") : null;
    if (!chip || !window.htmx) return;
    event.preventDefault();
    var name = chip.getAttribute("data-clear");
    var value = chip.getAttribute("data-value");
    Array.prototype.forEach.call(form.elements, function (control) {
      if (!control.name) return;
      if (name === "*" ? KEPT_ON_CLEAR.indexOf(control.name) === -1 : control.name === name && (!value || control.value === value || control.type === "radio" || control.tagName === "SELECT")) {
        clearControl(control);
      }
    });
    form.requestSubmit();
  });
  // An htmx refresh sends the count next to each option as data (services.options.facet_counts_data): written
  // into the form's badges as the page writes them (services.options.COUNT_TEXT), then the data is removed.
  function badgeContent(badge, count) {
    badge.textContent = "";
    if (count === null || count === undefined) return;
    var shown = document.createElement("span");
    shown.setAttribute("aria-hidden", "true");
    shown.textContent = "(" + count + ")";
    var spoken = document.createElement("span");
    spoken.className = "fr-sr-only";
    spoken.textContent = ", " + count + " résultat" + (count > 1 ? "s" : "");
    badge.appendChild(shown);
    badge.appendChild(spoken);
  }
  document.body.addEventListener("htmx:afterSwap", function () {
    var data = document.getElementById("services-facet-counts");
    if (!data) return;
    var counts = JSON.parse(data.getAttribute("data-counts"));
    data.parentNode.removeChild(data);
    Object.keys(counts).forEach(function (name) {
      Object.keys(counts[name]).forEach(function (value) {
        var badge = document.getElementById("facet-" + name + "-" + value);
        if (badge) badgeContent(badge, counts[name][value]);
      });
    });
  });
  // After a refresh asked from the results (a chip, a page), the keyboard goes on from the new results.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "services-results" && document.activeElement === document.body) {
      var results = document.getElementById("services-results");
      if (results) results.focus({ preventScroll: true });
    }
  });
})();
