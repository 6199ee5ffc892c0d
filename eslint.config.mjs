// JavaScript lint (ESLint flat config; eslint, @eslint/js and globals pinned in package.json).
// scripts/test.sh runs `npx eslint .` and expects no finding.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "dist/", ".cache/"] },
  js.configs.recommended,
  {
    files: ["web/**/*.js", "bench/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser } },
  },
  {
    // Module workers: the page's Python worker (and any other worker folder under web/).
    files: ["web/*worker/**/*.js"],
    languageOptions: { globals: { ...globals.worker } },
  },
  {
    // The service worker is a classic script: Workbox arrives through importScripts.
    files: ["web/sw/service-worker.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.serviceworker, workbox: "readonly" } },
  },
  {
    // Served into pages by the engine tests (tests/browser/engines.py): a classic browser script.
    files: ["tests/browser/engines/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser } },
  },
  {
    files: ["**/*.mjs", "eslint.config.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node } },
  },
  {
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
];
