// Inkling's service worker. build.py (deploy/offline.py) writes it to dist/sw.js with BUILD filled
// in: {version, weights: "weights-<hash>/", precache: [{url, revision}]}.
// Everything the pad needs is precached by Workbox into a cache named after the site's content
// hash (inkling-<version>-precache-v2-<scope>); caches of other versions are removed when this one
// activates. A new version waits until the page asks it to take over (page: sw/register.js).
importScripts("sw/workbox-core.prod.js", "sw/workbox-routing.prod.js",
              "sw/workbox-strategies.prod.js", "sw/workbox-precaching.prod.js");

const BUILD = /* @BUILD@ */ null;
const PREFIX = `inkling-${BUILD.version}`;

workbox.core.setCacheNameDetails({ prefix: PREFIX });
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(BUILD.precache);

// The models other than the default one are fetched when first chosen; their URLs carry a content
// hash, so what was fetched once is kept and served from here (offline too).
const WEIGHTS = new URL(BUILD.weights, self.registration.scope).href;
workbox.routing.registerRoute(({ url }) => url.href.startsWith(WEIGHTS),
  new workbox.strategies.CacheFirst({ cacheName: `${PREFIX}-models` }));

// The first install takes the open page at once (so it works offline after one visit); a later
// one waits for the page's "Reload" (workbox-window's messageSkipWaiting).
workbox.core.clientsClaim();
self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("inkling-") && !name.startsWith(`${PREFIX}-`)) await caches.delete(name);
    }
  })());
});
