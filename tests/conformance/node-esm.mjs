// Runner: Node ESM (and Bun, Deno: each resolves `edge-delegation` by its own export condition).
import { readFileSync } from 'node:fs';
import * as lib from 'edge-delegation';
import { conformance } from './suite.mjs';

const fixtures = new URL(process.env.FIXTURES ?? '../fixtures/', import.meta.url);
const read = (n) => JSON.parse(readFileSync(new URL(n, fixtures), 'utf8'));
const runtime = process.env.RUNTIME ?? (typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node-esm');
const out = await conformance(lib, read('tenant.json'), read('keys.json'), runtime);
console.log(JSON.stringify({ ...out, entry: import.meta.resolve?.('edge-delegation') }));
