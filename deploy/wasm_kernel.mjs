// Assembles a WebAssembly text file into an Emscripten side module, the kind of .so that
// Pyodide's dlopen (and so Python's ctypes) loads into its own memory: wabt (the WebAssembly
// Binary Toolkit, from npm) turns the text into a module, then a "dylink.0" section goes first,
// saying the module needs no memory or table of its own (it only imports Pyodide's memory).
//
//   node deploy/wasm_kernel.mjs IN.wat OUT.so
//
// Deterministic: the same text gives the same bytes.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [input, output] = process.argv.slice(2);
if (!output) throw new Error("usage: node deploy/wasm_kernel.mjs IN.wat OUT.so");
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { default: initWabt } = await import(path.join(repo, "node_modules", "wabt", "index.js"));

const wabt = await initWabt();
const module = wabt.parseWat(path.basename(input), readFileSync(input, "utf8"), { simd: true });
module.validate();
const { buffer } = module.toBinary({});
module.destroy();

// https://github.com/WebAssembly/tool-conventions/blob/main/DynamicLinking.md: a custom section
// (id 0) named "dylink.0" holding one WASM_DYLINK_MEM_INFO subsection (type 1) of four LEB128
// zeros: memory size, memory alignment, table size, table alignment. Every length here is < 128,
// so each LEB128 is one byte.
const name = new TextEncoder().encode("dylink.0");
const memInfo = [1, 4, 0, 0, 0, 0];
const payload = [name.length, ...name, ...memInfo];
const dylink = Uint8Array.from([0, payload.length, ...payload]);

const HEADER = 8;   // "\0asm" and the version
const out = new Uint8Array(buffer.length + dylink.length);
out.set(buffer.subarray(0, HEADER));
out.set(dylink, HEADER);
out.set(buffer.subarray(HEADER), HEADER + dylink.length);
writeFileSync(output, out);
