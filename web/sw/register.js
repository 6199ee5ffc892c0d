// Registers the service worker (dist/sw.js, made by build.py) once the app has loaded, so that
// its downloads never compete with the first boot, and offers a reload when a new version of the
// site is installed and waiting. Uses workbox-window (npm), copied here by build.py.
import { Workbox } from "./workbox-window.js";

const SW_URL = new URL("../sw.js", import.meta.url);

function offerReload(wb) {
  if (document.querySelector("[data-testid=update-reload]")) return;
  const bar = document.createElement("div");
  bar.className = "update-bar";
  bar.setAttribute("role", "status");
  const text = document.createElement("span");
  text.textContent = "A new version of Inkling is ready. Reloading clears the pad and models trained here.";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button primary";
  button.dataset.testid = "update-reload";
  button.textContent = "Reload";
  button.addEventListener("click", () => {
    button.disabled = true;
    wb.addEventListener("controlling", () => location.reload());
    wb.messageSkipWaiting();
  });
  const later = document.createElement("button");
  later.type = "button";
  later.className = "button";
  later.textContent = "Later";
  later.addEventListener("click", () => bar.remove());
  bar.append(text, button, later);
  document.body.append(bar);
}

function whenLoaded(callback) {
  const root = document.documentElement;
  if (root.dataset.state !== "loading") return callback();
  const observer = new MutationObserver(() => {
    if (root.dataset.state === "loading") return;
    observer.disconnect();
    callback();
  });
  observer.observe(root, { attributes: true, attributeFilter: ["data-state"] });
}

if ("serviceWorker" in navigator && SW_URL.protocol !== "file:") {
  const wb = new Workbox(SW_URL.href);
  wb.addEventListener("waiting", () => offerReload(wb));
  whenLoaded(() => wb.register().catch((error) => console.warn("service worker not registered:", error)));
}
