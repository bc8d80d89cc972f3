/* Service worker of the mobile site (scope /m/): the site opens, and a form being filled
 * shows again, without a connection.
 * It keeps only what any visitor gets, fetched without the site's cookie: the start page,
 * each procedure's blank form (/m/mau/…, shown in place of /m/thu-tuc/… when offline) and
 * the static files. A page drawn for a signed-in citizen (their phone, their dossiers, a
 * form the registry filled in) is never kept: pages come from the network, and only when
 * it fails from these anonymous copies. What was typed is m.js's business (localStorage).
 */
var CACHE = "tongdai-m-v2";  // a new name: activate deletes older caches, which kept citizens' pages
var START = "/m";
var STATIC = ["/m/static/m.css", "/m/static/m.js", "/m/manifest.webmanifest"];
var FORMS = "/m/thu-tuc/";

// A copy that cannot hold a citizen's data: no cookie sent, no redirect (to sign-in) followed.
function keepAnonymous(cache, path) {
  return fetch(new Request(path, { credentials: "omit", cache: "no-cache", redirect: "error" }))
    .then(function (response) { if (response.ok) return cache.put(path, response); });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all([cache.addAll(STATIC), keepAnonymous(cache, START)]);
  }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The anonymous copy that stands for a page offline, or null for pages never shown offline.
function copyOf(url) {
  if (url.pathname === "/m" || url.pathname === "/m/") return START;
  if (url.pathname.indexOf(FORMS) === 0) {
    var code = url.pathname.slice(FORMS.length);
    if (code && code.indexOf("/") < 0) return "/m/mau/" + code + url.search;
  }
  return null;
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
  var copy = request.mode === "navigate" ? copyOf(url) : null;
  if (copy === null) return;
  event.respondWith(fetch(request).then(function (response) {
    // The page itself is not kept; its anonymous copy is refreshed for the next time offline.
    event.waitUntil(caches.open(CACHE).then(function (cache) { return keepAnonymous(cache, copy); })
      .catch(function () {}));
    return response;
  }).catch(function () {
    return caches.match(copy).then(function (hit) { return hit || caches.match(START); });
  }));
});
