/* Territories: the map of the communes coloured by distance to the nearest on-site service. The table above holds
   the same data: without this file (or without tiles) nothing is lost. */
(function () {
  "use strict";

  var element = document.getElementById("territories-map");
  if (!element || !window.L || !window.fetch) return;

  var COLOURS = ["#1f8d49", "#b8a000", "#e4794a", "#8a1a1a"];

  function band(km) {
    if (km === null) return 3;
    if (km <= 10) return 0;
    if (km <= 20) return 1;
    if (km <= 50) return 2;
    return 3;
  }

  function label(point) {
    var distance = point[2] === null ? "aucun service sur place" : String(point[2]).replace(".", ",") + " km";
    return point[3] + " (" + point[4].toLocaleString("fr-FR") + " hab.) : " + distance;
  }

  fetch(element.getAttribute("data-points-url"), { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (data) {
      if (!data.points.length) return;
      element.hidden = false;
      element.setAttribute("role", "region");
      element.setAttribute(
        "aria-label",
        "Carte des communes colorées selon la distance du service sur place le plus proche ; les mêmes données sont dans le tableau."
      );
      var map = L.map(element, { preferCanvas: true, scrollWheelZoom: false });
      L.tileLayer(element.getAttribute("data-tiles-url"), {
        maxZoom: 18,
        attribution: "© IGN – Géoplateforme"
      }).addTo(map);
      var bounds = [];
      data.points.forEach(function (point) {
        var colour = COLOURS[band(point[2])];
        L.circleMarker([point[0], point[1]], {
          radius: 4,
          color: colour,
          fillColor: colour,
          fillOpacity: 0.8,
          weight: 1
        })
          .bindTooltip(label(point))
          .addTo(map);
        bounds.push([point[0], point[1]]);
      });
      map.fitBounds(bounds, { padding: [10, 10] });
    })
    .catch(function () {
      element.hidden = true;
    });
})();
