/* Kepu Server: the tablet's offline helper (a service worker, served at /tablet-sw.js).
 *
 * Network first, always: when the server answers, the answer is used and a copy of the /me
 * page and of the static files it needs is kept. Only when the network fails (Wi-Fi down)
 * is the copy served, so a reload without Wi-Fi still shows the student's quiz; tablet.js then
 * restores the answers kept in localStorage and sends them when the connection is back.
 * The API is never cached or intercepted: answers always go to the server.
 */
"use strict";

var CACHE = "kepu-tablet-v1";

function cacheKey(url) {
  return url.pathname === "/me" ? "/me" : url.pathname;
}

function keeps(url) {
  return (
    url.origin === self.location.origin &&
    (url.pathname === "/me" ||
      url.pathname.indexOf("/static/") === 0 ||
      /^\/x\/[^/]+\/static\//.test(url.pathname))
  );
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(
        urls.map(function (href) {
          var url = new URL(href, self.location.origin);
          if (!keeps(url)) return null;
          return fetch(url.href, { credentials: "same-origin", cache: "no-store" }).then(
            function (response) {
              if (response.ok && !response.redirected) return cache.put(cacheKey(url), response);
              return null;
            },
            function () {
              return null;
            }
          );
        })
      );
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (!keeps(url)) return;
  event.respondWith(
    fetch(request).then(
      function (response) {
        if (response.ok && !response.redirected && response.type === "basic") {
          var copy = response.clone();
          event.waitUntil(
            caches.open(CACHE).then(function (cache) {
              return cache.put(cacheKey(url), copy);
            })
          );
        }
        return response;
      },
      function () {
        return caches.match(cacheKey(url)).then(function (found) {
          return found || Response.error();
        });
      }
    )
  );
});
