/* The map of a search's results: Leaflet and its marker clusters (from npm, served from our static files),
   loaded the first time the map is shown; tiles of the IGN Géoplateforme. The points come from the search's
   GeoJSON (services/map_points.py), at the URL the results carry (data-map-url): every refresh of the results
   refreshes the map. Beside the list on wide screens; elsewhere a "Carte" button swaps list and map. The list
   stays complete without it. */
(function () {
  "use strict";

  var container = document.getElementById("services-map");
  if (!container) return;
  var panel = document.getElementById("services-map-panel");
  var layout = document.querySelector(".services-layout");
  var toggle = document.querySelector(".services-view-toggle");
  var status = document.getElementById("services-map-status");
  var map = null;
  var cluster = null;
  var loading = null;
  var shownUrl = null;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) {
        element.setAttribute(name, attributes[name]);
      });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function libraries() {
    if (!loading) {
      var data = container.dataset;
      loading = Promise.all([
        load("link", { rel: "stylesheet", href: data.leafletCss }),
        load("link", { rel: "stylesheet", href: data.clusterCss }),
        load("link", { rel: "stylesheet", href: data.clusterThemeCss }),
        load("script", { src: data.leafletJs })
      ]).then(function () {
        return load("script", { src: data.clusterJs });
      });
    }
    return loading;
  }

  function visible() {
    return panel.getClientRects().length > 0;
  }

  function clusterIcon(group) {
    var count = group.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({
      html: "<div><span>" + count + '<span class="fr-sr-only"> services</span></span></div>',
      className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(40, 40)
    });
  }

  function create() {
    map = L.map(container, { zoomControl: false, scrollWheelZoom: false });
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    L.tileLayer(container.dataset.tilesUrl, {
      attribution: container.dataset.attribution,
      minZoom: 2,
      maxZoom: 19
    }).addTo(map);
    cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      iconCreateFunction: clusterIcon
    });
    map.addLayer(cluster);
    map.setView([46.6, 2.4], 5);
    // Popups are links to the service pages: the close button speaks French too.
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", "Fermer");
    });
  }

  var icon = null;
  function marker(feature, query) {
    var properties = feature.properties;
    var coordinates = feature.geometry.coordinates;
    if (!icon) {
      icon = L.divIcon({
        className: "services-marker",
        html: '<span class="services-marker__pin" aria-hidden="true"></span>',
        iconSize: [28, 28],
        iconAnchor: [14, 28],
        popupAnchor: [0, -26]
      });
    }
    var point = L.marker([coordinates[1], coordinates[0]], { icon: icon, title: properties.nom, keyboard: true });
    point.bindPopup(function () {
      var box = document.createElement("div");
      var title = document.createElement("p");
      title.className = "fr-text--bold fr-mb-1v";
      title.textContent = properties.nom;
      var structure = document.createElement("p");
      structure.className = "fr-text--sm fr-mb-1v";
      structure.textContent = properties.structure + (properties.distance ? " · " + properties.distance : "");
      var link = document.createElement("a");
      link.className = "fr-link fr-link--sm";
      link.href = properties.url + (query ? "?" + query : "");
      link.textContent = "Voir la fiche";
      var name = document.createElement("span");
      name.className = "fr-sr-only";
      name.textContent = " : " + properties.nom;
      link.appendChild(name);
      box.appendChild(title);
      box.appendChild(structure);
      box.appendChild(link);
      return box;
    });
    return point;
  }

  function say(data) {
    var shown = data.shown;
    if (!shown) return "Aucun lieu à montrer : les services de cette recherche sont proposés à distance.";
    var text = shown + (shown > 1 ? " lieux" : " lieu") + " sur la carte";
    if (data.total > shown) text += " : les " + shown + " plus proches sur " + data.total + ", précisez la recherche pour voir les autres";
    return text + ".";
  }

  function refresh() {
    var results = document.getElementById("services-results");
    var url = results ? results.getAttribute("data-map-url") : "";
    if (!url || !visible() || url === shownUrl) return;
    shownUrl = url;
    status.textContent = "Chargement de la carte…";
    libraries()
      .then(function () {
        if (!map) create();
        map.invalidateSize();
        return fetch(url, { headers: { Accept: "application/geo+json" } });
      })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (data) {
        if (url !== shownUrl) return; // a newer search is on its way
        var query = url.split("?")[1] || "";
        cluster.clearLayers();
        cluster.addLayers(data.features.map(function (feature) { return marker(feature, query); }));
        if (data.features.length) map.fitBounds(cluster.getBounds(), { padding: [24, 24], maxZoom: 15 });
        status.textContent = say(data);
      })
      .catch(function () {
        shownUrl = null;
        status.textContent = "La carte n'a pas pu être chargée : la liste donne les mêmes services.";
      });
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      var showMap = !layout.classList.contains("services-layout--map");
      layout.classList.toggle("services-layout--map", showMap);
      toggle.setAttribute("aria-pressed", showMap ? "true" : "false");
      refresh();
      if (map) map.invalidateSize();
    });
  }
  document.body.addEventListener("htmx:afterSettle", refresh);
  window.addEventListener("resize", function () {
    refresh();
    if (map) map.invalidateSize();
  });
  refresh();
})();
