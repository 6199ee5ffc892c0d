// Inkling's service worker. build.py (deploy/offline.py) writes it to dist/sw.js with BUILD filled
// in: {version, weights: "weights-<hash>/", lazy: [url], precache: [{url, revision}]}.
// Everything the pad needs is precached by Workbox into a cache named after the site's content
// hash (inkling-<version>-precache-v2-<scope>); caches of other versions are removed when this one
// activates. A new version waits until the page asks it to take over (page: sw/register.js).
importScripts("sw/workbox-core.prod.js", "sw/workbox-routing.prod.js",
              "sw/workbox-strategies.prod.js", "sw/workbox-precaching.prod.js");

const BUILD = /* @BUILD@ */ null;
const PREFIX = `inkling-${BUILD.version}`;

workbox.core.setCacheNameDetails({ prefix: PREFIX });
workbox.precaching.cleanupOutdatedCaches();
// What the page has just fetched is not downloaded again: a file in a content-hashed folder is
// taken from the HTTP cache whatever its age (its URL changes when its bytes do), any other file
// is revalidated (a 304 when it has not changed). Without this, a host that sends no caching
// headers had every file sent twice on a first visit.
const HASHED = /\/(pyodide|app|weights)-[0-9a-f]{12}\//;
workbox.precaching.addPlugins([{
  requestWillFetch: async ({ request }) => new Request(request, {
    cache: HASHED.test(new URL(request.url).pathname) ? "force-cache" : "no-cache",
  }),
}]);
workbox.precaching.precacheAndRoute(BUILD.precache);

// The models other than the default one are fetched when first chosen; their URLs carry a content
// hash, so what was fetched once is kept and served from here (offline too).
const WEIGHTS = new URL(BUILD.weights, self.registration.scope).href;
workbox.routing.registerRoute(({ url }) => url.href.startsWith(WEIGHTS),
  new workbox.strategies.CacheFirst({ cacheName: `${PREFIX}-models` }));

// The rest of the stdlib and of numpy, fetched the first time Python imports a module they hold
// (deploy/lazy_rest.py, which also puts them in this cache: a first visit's worker is not
// controlled by this service worker, so its requests go past it).
const LAZY_CACHE = "inkling-lazy";
const LAZY = new Set(BUILD.lazy.map((url) => new URL(url, self.registration.scope).href));
workbox.routing.registerRoute(({ url }) => LAZY.has(url.href),
  new workbox.strategies.CacheFirst({ cacheName: LAZY_CACHE }));

// The first install takes the open page at once (so it works offline after one visit); a later
// one waits for the page's "Reload" (workbox-window's messageSkipWaiting).
workbox.core.clientsClaim();
self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("inkling-") && !name.startsWith(`${PREFIX}-`) && name !== LAZY_CACHE) await caches.delete(name);
    }
    const lazy = await caches.open(LAZY_CACHE);   // parts of older builds: their URLs are gone
    for (const request of await lazy.keys()) if (!LAZY.has(request.url)) await lazy.delete(request);
  })());
});
