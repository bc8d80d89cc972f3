/* Service worker of the mobile site (scope /m/): the pages and their two static files
 * are kept, so the site opens and a half-filled form shows without a connection.
 * Pages are asked of the network first (always fresh when online), the static files of
 * the cache first. Only GET requests are kept; a citizen's own dossiers are never cached.
 */
var CACHE = "tongdai-m-v1";
var SHELL = ["/m", "/m/static/m.css", "/m/static/m.js", "/m/manifest.webmanifest"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(url) {
  return url.pathname === "/m" || url.pathname === "/m/" || url.pathname.indexOf("/m/thu-tuc/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/m/static/") === 0 || url.pathname === "/m/manifest.webmanifest") {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        return response;
      });
    }));
    return;
  }
  if (request.mode === "navigate" && keepable(url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || caches.match("/m"); });
    }));
  }
});
