/* Parvis maps: progressive enhancement with Leaflet. Every map has a list or form twin, so the
   page works without JavaScript and without map tiles (tiles are configured per deployment). */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  function baseMap(element) {
    var map = L.map(element, { scrollWheelZoom: false });
    var tiles = element.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
    }
    var lat = parseFloat(element.dataset.lat), lon = parseFloat(element.dataset.lon);
    map.setView([isNaN(lat) ? 47.09 : lat, isNaN(lon) ? 4.88 : lon], parseInt(element.dataset.zoom || "13", 10));
    if (element.dataset.areas) {
      fetch(element.dataset.areas).then(function (r) { return r.ok ? r.json() : []; }).then(function (districts) {
        districts.forEach(function (district) {
          L.geoJSON(district.area, { style: { color: "#1d4f91", weight: 2, fillOpacity: 0.05 } })
            .bindTooltip(district.name).addTo(map);
        });
      });
    }
    return map;
  }

  function feedMap(element) {
    var map = baseMap(element);
    fetch(element.dataset.mapFeed).then(function (r) { return r.json(); }).then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) {
          var open = ["new", "acknowledged", "scheduled", "in_progress"].indexOf(feature.properties.status) >= 0;
          return L.circleMarker(latlng, { radius: 7, color: open ? "#a4161a" : "#185c2c", weight: 2, fillOpacity: 0.7 });
        },
        onEachFeature: function (feature, marker) {
          var link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = "#" + feature.id + " " + feature.properties.title;
          var status = document.createElement("p");
          status.textContent = feature.properties.category + " · " + feature.properties.status_label;
          var popup = document.createElement("div");
          popup.appendChild(link); popup.appendChild(status);
          marker.bindPopup(popup);
        }
      }).addTo(map);
      if (collection.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] }); }
    });
  }

  function pickerMap(element) {
    var map = baseMap(element);
    var lat = document.getElementById(element.dataset.latField);
    var lon = document.getElementById(element.dataset.lonField);
    var marker = null;
    function place(latlng) {
      lat.value = latlng.lat.toFixed(6); lon.value = latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.marker(latlng, { alt: element.dataset.markerLabel || "" }).addTo(map);
      }
    }
    if (lat.value && lon.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); map.setView(marker.getLatLng(), 16); }
    map.on("click", function (event) { place(event.latlng); });
    var locate = document.querySelector("[data-geolocate]");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          place(latlng); map.setView(latlng, 17);
        });
      });
    }
  }

  document.querySelectorAll("[data-map-feed]").forEach(feedMap);
  document.querySelectorAll("[data-map-picker]").forEach(pickerMap);
  document.querySelectorAll("[data-map-point]").forEach(function (element) {
    var map = baseMap(element);
    L.circleMarker([parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], { radius: 8, color: "#a4161a" }).addTo(map);
  });
})();
