// The loudspeaker map: the station's GeoJSON (/api/map.geojson) drawn with Leaflet
// (vendored, never from a CDN), refreshed every 5 s. Map tiles come from the configured
// tile URL only while the browser is online; without them the points and the zones'
// outlines stand on a plain background.
"use strict";

const REFRESH_MS = 5000;
const HOME = [22.15, 105.83]; // Bắc Kạn, until the station has places
const COLOURS = { playing: "#2e7d32", online: "#1565c0", silent: "#ef6c00", offline: "#9e9e9e" };

function drawTiles(map, box) {
  const url = box.dataset.tiles;
  if (!url || !navigator.onLine) return;
  const layer = L.tileLayer(url, { attribution: box.dataset.attribution, maxZoom: 19 });
  let failed = 0;
  layer.on("tileerror", () => {
    failed += 1;
    if (failed >= 4) map.removeLayer(layer); // unreachable: the plain background stays
  });
  layer.addTo(map);
}

function describe(p) {
  const words = { playing: "đang phát", online: "trực tuyến", silent: "im lặng khi đang phát", offline: "mất kết nối" };
  let text = `${p.name}: ${words[p.state] || p.state}`;
  if (p.state === "offline") text += p.offline_since ? ` từ ${new Date(p.offline_since).toLocaleString("vi-VN")}` : " (chưa từng kết nối)";
  if (p.playing) text += ` — ${p.playing}`;
  return text;
}

function styleOf(feature) {
  const p = feature.properties;
  if (p.kind === "outline") return { color: "#5d4037", weight: 2, dashArray: "6 4", fillOpacity: 0.06 };
  return {};
}

function pointOf(feature, latlng) {
  const p = feature.properties;
  if (p.kind === "zone") {
    return L.circleMarker(latlng, { radius: 6, color: "#5d4037", fillOpacity: 0.9, className: `zone-point${p.on_air ? " on-air" : ""}` })
      .bindTooltip(p.on_air ? `${p.name}: ${p.on_air}` : p.name);
  }
  return L.circleMarker(latlng, {
    radius: 9, color: "#fff", weight: 2, fillColor: COLOURS[p.state] || "#000", fillOpacity: 1,
    className: `rx rx-${p.state}`,
  }).bindTooltip(describe(p));
}

async function load(map, layer, first) {
  const response = await fetch("/api/map.geojson", { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  layer.clearLayers();
  layer.addData(data);
  document.getElementById("map").dataset.features = String(data.features.length);
  if (first && data.features.length) map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 16 });
}

function placing(map) {
  const form = document.getElementById("place");
  if (!form) return;
  const marker = L.marker(HOME, { opacity: 0 }).addTo(map);
  map.on("click", (event) => {
    form.elements.latitude.value = event.latlng.lat.toFixed(6);
    form.elements.longitude.value = event.latlng.lng.toFixed(6);
    marker.setLatLng(event.latlng).setOpacity(1);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [kind, key] = form.elements.what.value.split(":");
    const url = kind === "zone" ? `/api/zones/${key}/place` : `/api/receivers/${key}/place`;
    const number = (el) => (el.value.trim() === "" ? null : Number(el.value.replace(",", ".")));
    try {
      await api("PUT", url, { latitude: number(form.elements.latitude), longitude: number(form.elements.longitude) });
      form.querySelector(".error").textContent = "";
      form.dataset.saved = form.elements.what.value;
      marker.setOpacity(0);
      await load(map, window.loudspeakers, false);
    } catch (exc) {
      showError(form, exc);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("map");
  const map = L.map(box, { zoomControl: true }).setView(HOME, 11);
  drawTiles(map, box);
  const layer = L.geoJSON(null, { style: styleOf, pointToLayer: pointOf }).addTo(map);
  window.loudspeakers = layer;
  load(map, layer, true);
  setInterval(() => load(map, layer, false), REFRESH_MS);
  placing(map);
});
