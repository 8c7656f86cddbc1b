#!/usr/bin/env node
// `npm run size`: the module's size per build. Compiles the crate for wasm32 with every
// format, with none (`app` only), and with each format alone; runs wasm-bindgen (web target)
// and wasm-opt -O3 as `npm run build` does; prints bytes and gzip -9 bytes as a Markdown table.
// pkg/ is not touched.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FORMAT_FEATURES, bindAndOptimize, compileWasm, ensureNodeModules, ensureRustTools } from '../src/js/build.mjs';

ensureNodeModules();
const version = ensureRustTools();
const builds = [['every format (default)', undefined], ['app only', []], ...FORMAT_FEATURES.map((f) => [`app + ${f}`, [f]])];
const dir = mkdtempSync(join(tmpdir(), 'edge-size-'));
const rows = [];
try {
  for (const [name, formats] of builds) {
    const wasm = bindAndOptimize(compileWasm(formats), version, 'web', join(dir, String(rows.length)));
    const bytes = readFileSync(wasm);
    rows.push([name, formats === undefined ? '(default)' : `--formats=${formats.join(',')}`, bytes.length, gzipSync(bytes, { level: 9 }).length]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log('| build | `npm run build --` | wasm | gzip -9 |');
console.log('|---|---|---|---|');
for (const [name, flag, raw, gz] of rows) console.log(`| ${name} | \`${flag}\` | ${raw.toLocaleString('en')} B (${kib(raw)}) | ${gz.toLocaleString('en')} B (${kib(gz)}) |`);
