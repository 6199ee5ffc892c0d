// The sha256 of some bytes as lowercase hex: how the worker checks every file it fetches against
// its manifest (weights/manifest.json, mnist/manifest.json) before Python sees it.
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
