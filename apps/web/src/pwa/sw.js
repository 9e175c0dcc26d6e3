/**
 * VTP's service worker (a template: the build's `vtpServiceWorker` plugin in vite.config.ts fills in
 * the version and the precache list and writes it to dist/sw.js).
 *
 * - Precaches the app shell: index.html, the entry's JS/CSS chunks, icons, the manifest, offline.html.
 * - Navigations go to the network first; offline, they get the cached shell (the app shows its
 *   offline view), or offline.html if even the shell is missing.
 * - Hashed files under /assets/ (lazy chunks too) are served cache-first: they never change.
 * - Everything else is left to the browser: the worker never answers nor stores /api/ (personal
 *   data, recordings and their media), /socket.io/ or anything else.
 * - Caches are named by version; activate deletes the others. A new worker waits until the page
 *   asks it to take over ("New version available — reload").
 */
const VERSION = "__VTP_VERSION__";
const PRECACHE = /* precache */ [];
const SHELL_CACHE = `vtp-shell-${VERSION}`;
const ASSET_CACHE = `vtp-assets-${VERSION}`;
const NEVER = ["/api/", "/socket.io/"];

/** Requests the worker must never answer from, nor put into, a cache. */
function neverCached(request, url) {
  if (url.origin !== self.location.origin || NEVER.some((prefix) => url.pathname.startsWith(prefix))) return true;
  // Media (recordings, HLS segments) and partial responses are never cached either.
  return request.destination === "audio" || request.destination === "video" || request.headers.has("range");
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name.startsWith("vtp-") && name !== SHELL_CACHE && name !== ASSET_CACHE).map((name) => caches.delete(name))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") void self.skipWaiting();
});

async function fromNetworkOrShell(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const shell = await caches.match("/index.html", { cacheName: SHELL_CACHE });
    // The app reads this mark (pwa/OfflinePage.tsx): navigator.onLine can say "online" with no way through.
    if (shell) return new Response((await shell.text()).replace("<head>", '<head><meta name="vtp-offline" content="1">'), { headers: shell.headers });
    const page = await caches.match("/offline.html", { cacheName: SHELL_CACHE });
    if (page) return page;
    throw error;
  }
}

async function cacheFirst(request, url) {
  const hit = await caches.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic" && url.pathname.startsWith("/assets/")) {
    const copy = response.clone();
    void caches.open(ASSET_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (neverCached(request, url)) return;
  if (request.mode === "navigate") {
    event.respondWith(fromNetworkOrShell(request));
    return;
  }
  if (url.pathname.startsWith("/assets/") || PRECACHE.includes(url.pathname)) event.respondWith(cacheFirst(request, url));
});

// The "you are in the class" notification: a tap brings the class's tab (or the app) to the front.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const room = windows.find((client) => new URL(client.url).pathname.startsWith("/room/")) ?? windows[0];
      return room ? room.focus() : self.clients.openWindow("/dashboard");
    }),
  );
});
