// The built package as a user installs it: `npm pack` of pkg/, installed into a fresh
// project, then loaded with CommonJS require, ESM import, and the web build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'tests', 'fixtures');
let dir;

function node(args, input) {
  return execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-delegation-pkg-'));
  const tgz = execFileSync('npm', ['pack', join(root, 'pkg'), '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, tgz)], { cwd: dir, stdio: 'ignore' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

// The same round trip in every flavour: delegate, then verify with the tenant JWKS.
const roundTrip = (load) => `
${load}
const fs = require('node:fs');
const tenant = JSON.parse(fs.readFileSync(${JSON.stringify(join(fixtures, 'tenant.json'))}, 'utf8'));
const keys = JSON.parse(fs.readFileSync(${JSON.stringify(join(fixtures, 'keys.json'))}, 'utf8'));
const now = Math.floor(Date.now() / 1000);
const idt = m.sign({ iss: tenant.issuer, sub: 'auth0|pkg', aud: 'spa', iat: now, exp: now + 60 }, keys.rsa.jwk, { alg: 'RS256', kid: 'rsa-1' });
const d = new m.Delegator(tenant);
const res = d.delegate({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: 'spa', id_token: idt, target: 'api-es' });
const out = m.verify(res.id_token, { jwks: d.publicJwks(), audience: 'api-es', issuer: tenant.issuer });
let code;
try { d.delegate({}); } catch (e) { code = (e instanceof m.DelegationError) + ':' + e.code; }
console.log(JSON.stringify({ alg: out.header.alg, sub: out.payload.sub, expires_in: res.expires_in, code }));
`;
const expected = { alg: 'ES256', sub: 'auth0|pkg', expires_in: 900, code: 'true:invalid_request' };

test('CommonJS require', () => {
  const out = node(['--input-type=commonjs', '-'], roundTrip("const m = require('edge-delegation');"));
  assert.deepEqual(JSON.parse(out), expected);
});

test('ESM import, sharing one instance with CommonJS', () => {
  const src = `import { createRequire } from 'node:module';
import * as esm from 'edge-delegation';
const require = createRequire(import.meta.url);
const cjs = require('edge-delegation');
if (esm.DelegationError !== cjs.DelegationError || esm.default.Delegator !== esm.Delegator) throw new Error('two instances');
const m = esm;
${roundTrip('')}`;
  assert.deepEqual(JSON.parse(node(['--input-type=module', '-'], src)), expected);
});

test('the web build (browsers, bundlers) instantiates and works', () => {
  // Node's fetch has no file: URLs; serve the wasm the way a web server would.
  const src = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
globalThis.fetch = async (url) => new Response(readFileSync(new URL(url)), { headers: { 'content-type': 'application/wasm' } });
const require = createRequire(import.meta.url);
const web = require.resolve('edge-delegation/package.json').replace(/package\\.json$/, 'web.mjs');
const m = await import(web);
${roundTrip('')}`;
  assert.deepEqual(JSON.parse(node(['--input-type=module', '-'], src)), expected);
});

test('package.json exports name every entry, and the files it names exist', () => {
  const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', 'edge-delegation', 'package.json'), 'utf8'));
  const e = manifest.exports['.'];
  assert.deepEqual(Object.keys(e), ['types', 'workerd', 'deno', 'bun', 'node', 'browser', 'import', 'require', 'default']);
  for (const f of [e.types.import, e.types.require, e.workerd, e.deno, e.bun.import, e.bun.require, e.node.import, e.node.require, e.browser, e.default]) {
    assert.ok(readFileSync(join(dir, 'node_modules', 'edge-delegation', f)).length > 0, f);
  }
  const dts = readFileSync(join(dir, 'node_modules', 'edge-delegation', 'index.d.ts'), 'utf8');
  assert.doesNotMatch(dts, /\bany\b/, 'types name every field (no any)');
});
