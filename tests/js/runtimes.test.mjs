// The runtime matrix: one conformance suite (tests/conformance/suite.mjs) against the packed
// package installed into a fresh project, in Node CJS and ESM, Deno, Bun, an esbuild bundle and
// workerd, each from npm. Every token a runtime mints is cross-checked with jose. Then the
// Worker example runs in workerd and is called over HTTP: round trips, load and faults.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { Delegator, sign } from 'edge-delegation';
import { startWorkerd } from './workerd-helper.mjs';
import { tenant } from './helpers.mjs';
import { xmlCryptoVerifies } from './saml-helpers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const jwks = jose.createLocalJWKSet(new Delegator(tenant).publicJwks());
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-delegation-runtimes-'));
  const tgz = execFileSync('npm', ['pack', join(root, 'pkg'), '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, tgz)], { cwd: dir, stdio: 'ignore' });
  cpSync(join(root, 'tests', 'conformance'), join(dir, 'conformance'), { recursive: true });
  mkdirSync(join(dir, 'fixtures'));
  for (const f of ['tenant.json', 'keys.json']) cpSync(join(root, 'tests', 'fixtures', f), join(dir, 'fixtures', f));
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function assertConformant(out, runtime, entry) {
  assert.equal(out.ok, true);
  assert.equal(out.runtime, runtime);
  assert.ok(out.checks >= 30, `${out.checks} checks`);
  if (entry) assert.match(out.entry, new RegExp(`node_modules/edge-delegation/${entry.replace('.', '\\.')}$`));
  for (const [target, token] of Object.entries(out.tokens)) {
    const { payload } = await jose.jwtVerify(token, jwks, { issuer: tenant.issuer, audience: target });
    assert.equal(payload.sub, 'auth0|conf');
  }
  assert.equal(out.saml.length, 2);
  for (const doc of out.saml) assert.equal(xmlCryptoVerifies(Buffer.from(doc, 'base64').toString('utf8')), true, 'xml-crypto verifies the SAML signed in this runtime');
}

const run = (cmd, args, env = {}) =>
  JSON.parse(execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));

test('Node ESM (export condition node → node.mjs)', async () => {
  await assertConformant(run(process.execPath, ['conformance/node-esm.mjs']), 'node-esm', 'node.mjs');
});

test('Node CommonJS (node → node.cjs)', async () => {
  await assertConformant(run(process.execPath, ['conformance/node-cjs.cjs']), 'node-cjs', 'node.cjs');
});

test('Deno (deno → deno.mjs)', async () => {
  const env = { DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  await assertConformant(run(bin('deno'), ['run', '--allow-read', '--allow-env', 'conformance/node-esm.mjs'], env), 'deno', 'deno.mjs');
});

test('Bun, import and require (bun → node.mjs / node.cjs)', async () => {
  await assertConformant(run(bin('bun'), ['conformance/node-esm.mjs']), 'bun', 'node.mjs');
  await assertConformant(run(bin('bun'), ['conformance/node-cjs.cjs']), 'bun-cjs', 'node.cjs');
});

test('an esbuild bundle (workerd condition, .wasm inlined with the binary loader)', async () => {
  execFileSync(bin('esbuild'), ['conformance/node-esm.mjs', '--bundle', '--format=esm', '--platform=node', '--target=node20',
    '--conditions=workerd', '--loader:.wasm=binary', '--outfile=bundle/conformance.mjs', '--log-level=error'], { cwd: dir });
  await assertConformant(run(process.execPath, ['bundle/conformance.mjs'], { RUNTIME: 'esbuild' }), 'esbuild');
});

test('workerd (workerd → workerd.mjs, the .wasm imported as a module)', async () => {
  const w = await startWorkerd(dir, [['worker.mjs', join(dir, 'conformance', 'worker.mjs')], ['suite.mjs', join(dir, 'conformance', 'suite.mjs')]],
    { TENANT_JSON: join(dir, 'fixtures', 'tenant.json'), KEYS_JSON: join(dir, 'fixtures', 'keys.json') });
  try {
    const res = await fetch(w.url);
    const out = await res.json();
    assert.equal(res.status, 200, out.error);
    await assertConformant(out, 'workerd');
  } finally {
    await w.stop();
  }
});

test('the Worker example in workerd: round trips, 100 concurrent requests, faults', async () => {
  const demo = join(root, 'examples', 'demo-tenant.json');
  const w = await startWorkerd(dir, [['worker.mjs', join(root, 'examples', 'worker', 'worker.mjs')]], { TENANT_JSON: demo });
  try {
    const served = await (await fetch(`${w.url}/.well-known/jwks.json`)).json();
    assert.ok(served.keys.every((k) => k.d === undefined && k.p === undefined), 'public halves only');
    const keys = jose.createLocalJWKSet(served);
    const demoTenant = JSON.parse(readFileSync(demo, 'utf8'));
    const key = demoTenant.signing_keys[0];
    const now = Math.floor(Date.now() / 1000);
    const idt = (sub) => sign({ iss: demoTenant.issuer, sub, aud: 'spa', iat: now, exp: now + 300 }, key, { alg: 'RS256', kid: key.kid });
    const results = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const res = await fetch(`${w.url}/delegation`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': `203.0.113.${i}` },
        body: JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: 'spa', id_token: idt(`auth0|w${i}`), target: 'api-es' }),
      });
      assert.equal(res.status, 200);
      return (await jose.jwtVerify((await res.json()).id_token, keys, { audience: 'api-es' })).payload.sub;
    }));
    assert.equal(new Set(results).size, 100);
    const te = await fetch(`${w.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', client_id: 'spa', subject_token: idt('auth0|te'),
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', audience: 'api-rs' }),
    });
    assert.equal(te.status, 200);
    assert.equal((await te.json()).token_type, 'N_A');
    const faults = [
      [fetch(`${w.url}/delegation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' }), 400],
      [fetch(`${w.url}/delegation`, { method: 'POST', body: new URLSearchParams([['target', 'a'], ['target', 'b']]) }), 400],
      [fetch(`${w.url}/delegation`, { method: 'PUT' }), 405],
      [fetch(`${w.url}/delegation`, { method: 'POST', body: new Uint8Array(10) }), 415],
      [fetch(`${w.url}/delegation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(200 * 1024) }), 413],
      [fetch(`${w.url}/elsewhere`), 404],
    ];
    for (const [p, status] of faults) {
      const r = await p;
      assert.equal(r.status, status);
      assert.equal(typeof (await r.json()).error, 'string');
    }
  } finally {
    await w.stop();
  }
});
