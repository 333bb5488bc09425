/* Sensors maps: progressive enhancement with Leaflet, as in map.js. Every map has its table
   twin on the page, so nothing depends on this script or on map tiles. Three kinds of maps:
   [data-sensor-feed]   public devices from the GeoJSON feed, coloured by air quality level;
   [data-sensor-points] staff devices from JSON in the page (json_script), coloured by health;
   [data-sensor-point]  the place of one device. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var lang = document.documentElement.lang || "fr";
  // Official colours of the European (and ATMO) air quality index; the level is also written out.
  var LEVEL_COLOURS = {
    "good": "#50f0e6", "fair": "#50ccaa", "moderate": "#f0e641",
    "poor": "#ff5050", "very-poor": "#960032", "extremely-poor": "#7d2181"
  };
  var HEALTH_COLOURS = { online: "#185c2c", stale: "#6b4a00", silent: "#a4161a" };
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var times = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

  function baseMap(element) {
    var map = L.map(element, { scrollWheelZoom: false });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
    }
    var lat = parseFloat(element.dataset.lat), lon = parseFloat(element.dataset.lon);
    map.setView([isNaN(lat) ? 47.09 : lat, isNaN(lon) ? 4.88 : lon], parseInt(element.dataset.zoom || "13", 10));
    return map;
  }

  function popup(name, url, lines) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = name;
    box.appendChild(link);
    if (lines.length) {
      var list = document.createElement("ul");
      lines.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  function fit(map, layer, count) {
    if (count) { map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] }); }
  }

  function valueLine(value) {
    var text = value.name + (lang === "fr" ? " : " : ": ");
    text += numbers.format(value.value) + (value.unit ? " " + value.unit : "");
    if (value.level_label) { text += " (" + value.level_label + ")"; }
    if (value.time) { text += ", " + times.format(new Date(value.time)); }
    return text;
  }

  function feedMap(element) {
    var map = baseMap(element);
    fetch(element.dataset.sensorFeed).then(function (r) { return r.json(); }).then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) {
          var level = feature.properties.level;
          return L.circleMarker(latlng, {
            radius: level ? 9 : 7, color: "#1b1b1f", weight: 2,
            fillColor: LEVEL_COLOURS[level] || "#1d4f91", fillOpacity: 0.85
          });
        },
        onEachFeature: function (feature, marker) {
          var p = feature.properties;
          var measured = p.values.filter(function (value) { return value.value !== null; });
          var lines = [p.kind_label].concat(p.level_label ? [p.level_label] : [], measured.map(valueLine));
          marker.bindPopup(popup(p.name, p.url, lines));
          marker.bindTooltip(p.name);
        }
      }).addTo(map);
      fit(map, layer, collection.features.length);
    });
  }

  function pointsMap(element) {
    var map = baseMap(element);
    var source = document.getElementById(element.dataset.sensorPoints);
    var points = source ? JSON.parse(source.textContent) : [];
    var layer = L.featureGroup(points.map(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 7, color: HEALTH_COLOURS[point.health] || "#1d4f91", weight: 3, fillOpacity: 0.5
      });
      return marker.bindPopup(popup(point.name, point.url, [])).bindTooltip(point.name);
    })).addTo(map);
    fit(map, layer, points.length);
  }

  document.querySelectorAll("[data-sensor-feed]").forEach(feedMap);
  document.querySelectorAll("[data-sensor-points]").forEach(pointsMap);
  document.querySelectorAll("[data-sensor-point]").forEach(function (element) {
    var map = baseMap(element);
    L.circleMarker([parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], { radius: 8, color: "#1d4f91" }).addTo(map);
  });
})();
