// Firefox ESR (Debian's firefox-esr) driven by puppeteer-core over WebDriver BiDi, for the
// Python side (tests/browser/engines.py): one JSON request a line on stdin, one JSON answer a
// line on stdout ({id, result} or {id, error}). Every answer carries `problems`: the page errors,
// console errors and failed requests seen since the last answer, so every step can fail on them.
//
// Requests: {op: "goto", url} · {op: "eval", fn, args} (fn: an async function's source) ·
//           {op: "pointer", strokes: [[[x, y], ...], ...]} (page pixels, mouse) ·
//           {op: "viewport", width, height} · {op: "reload"} · {op: "close"}
import puppeteer from "puppeteer-core";
import { createInterface } from "node:readline";

const FIREFOX = process.env.INKLING_FIREFOX || "/usr/bin/firefox-esr";
const [width, height] = (process.env.INKLING_VIEWPORT || "1000x900").split("x").map(Number);

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: FIREFOX,
  headless: true,
  defaultViewport: { width, height },
  extraPrefsFirefox: {
    // Nothing leaves the machine: every host but the test server fails to resolve.
    "network.dns.localDomains": "",
    "network.proxy.type": 0,
    "intl.locale.requested": "en-US",
  },
});
const page = await browser.newPage();
let problems = [];
page.on("pageerror", (e) => problems.push(`uncaught error in page: ${e.message ?? e}`));
page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
page.on("requestfailed", (r) => {
  if (!r.url().endsWith("/favicon.ico")) problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
});
page.on("response", (r) => {
  if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) problems.push(`HTTP ${r.status()}: ${r.url()}`);
});

async function pointer(strokes) {
  for (const stroke of strokes) {
    const [[x0, y0], ...rest] = stroke;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(x, y);
    await page.mouse.up();
  }
}

const ops = {
  goto: ({ url }) => page.goto(url, { waitUntil: "domcontentloaded" }).then(() => null),
  reload: () => page.reload({ waitUntil: "domcontentloaded" }).then(() => null),
  eval: ({ fn, args = [] }) => page.evaluate(`(${fn})(...${JSON.stringify(args)})`),
  pointer: ({ strokes }) => pointer(strokes).then(() => null),
  viewport: ({ width: w, height: h }) => page.setViewport({ width: w, height: h }).then(() => null),
  close: () => browser.close().then(() => null),
};

const say = (answer) => process.stdout.write(JSON.stringify({ ...answer, problems: problems.splice(0) }) + "\n");
say({ id: 0, result: await browser.version() });

for await (const line of createInterface({ input: process.stdin })) {
  const { id, op, ...rest } = JSON.parse(line);
  try {
    say({ id, result: (await ops[op](rest)) ?? null });
  } catch (error) {
    say({ id, error: String(error?.message ?? error) });
  }
  if (op === "close") break;
}
process.exit(0);
