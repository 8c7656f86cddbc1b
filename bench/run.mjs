#!/usr/bin/env node
// Benchmark (not a test): ops/s of our wasm build against jose, jsonwebtoken, fast-jwt and
// node:crypto in one process, and the cold start of the package.
// Usage: npm run bench  (builds pkg/ if needed)
import { execFileSync } from 'node:child_process';
import { createHmac, createPrivateKey, createPublicKey, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import * as jose from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createSigner, createVerifier } from 'fast-jwt';
import { build } from '../src/js/build.mjs';

build();
const { Delegator, Verifier, Signer, sign } = await import('edge-delegation');
const fixture = (n) => JSON.parse(readFileSync(new URL(`../tests/fixtures/${n}`, import.meta.url), 'utf8'));
const keys = fixture('keys.json');
const tenant = fixture('tenant.json');
const MS = Number(process.env.BENCH_MS ?? 400);
// This machine has bursts where everything runs slower for a fraction of a second, some longer
// than a second: each cell is the best of three windows, and a row's sides take their windows
// in turn (ours, each peer, ours again, …), so that a burst costs one window of several sides,
// not every window of one side and so its ratio.
const WINDOWS = 3;

/** ops/s of `fn` over one window. */
async function window(fn) {
  let n = 0;
  const start = performance.now();
  let end = start;
  while (end - start < MS) {
    for (let i = 0; i < 10; i++) await fn();
    n += 10;
    end = performance.now();
  }
  return (n * 1000) / (end - start);
}

const rows = [];
async function row(name, ours, peers) {
  const sides = { ours };
  for (const [peer, fn] of Object.entries(peers)) {
    // A peer that does not support the algorithm (jsonwebtoken has no EdDSA) gets an empty cell.
    try {
      await fn();
    } catch {
      continue;
    }
    sides[peer] = fn;
  }
  for (const fn of Object.values(sides)) for (let i = 0; i < 20; i++) await fn(); // warm up
  const r = { name };
  for (let w = 0; w < WINDOWS; w++) {
    for (const [side, fn] of Object.entries(sides)) r[side] = Math.max(r[side] ?? 0, await window(fn));
  }
  rows.push(r);
}

const payload = { sub: 'auth0|bench', aud: 'api', iss: tenant.issuer, iat: 1_800_000_000, exp: 4_000_000_000 };
const secret = new TextEncoder().encode('a-benchmark-secret-of-at-least-32-bytes!');
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nodeJwt = (alg, key, opts = {}) => {
  const input = `${b64({ alg })}.${b64(payload)}`;
  const sig = alg === 'HS256' ? createHmac('sha256', key).update(input).digest() : nodeSign(alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), { key, ...opts });
  return `${input}.${sig.toString('base64url')}`;
};
const nodeCheck = (alg, key, token, opts = {}) => {
  const i = token.lastIndexOf('.');
  const input = token.slice(0, i);
  const sig = Buffer.from(token.slice(i + 1), 'base64url');
  if (alg === 'HS256') return createHmac('sha256', key).update(input).digest().equals(sig);
  return nodeVerify(alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), { key, ...opts }, sig);
};

const algs = [
  ['HS256', secret, secret, secret, secret, {}],
  ['RS256', keys.rsa.jwk, keys.rsa.public_spki, createPrivateKey(keys.rsa.private_pkcs8), createPublicKey(keys.rsa.public_spki), {}],
  ['ES256', keys.ec.jwk, keys.ec.public_spki, createPrivateKey(keys.ec.private_pkcs8), createPublicKey(keys.ec.public_spki), { dsaEncoding: 'ieee-p1363' }],
  ['EdDSA', keys.ed.jwk, keys.ed.public_spki, createPrivateKey(keys.ed.private_pkcs8), createPublicKey(keys.ed.public_spki), {}],
];
for (const [alg, priv, pub, nodePriv, nodePub, nodeOpts] of algs) {
  const josePriv = alg === 'HS256' ? secret : await jose.importJWK(priv, alg);
  const josePub = alg === 'HS256' ? secret : await jose.importSPKI(pub, alg);
  const fastSign = createSigner({ key: alg === 'HS256' ? Buffer.from(secret) : nodePriv.export({ type: 'pkcs8', format: 'pem' }), algorithm: alg });
  const jwtKey = alg === 'HS256' ? Buffer.from(secret) : nodePriv;
  // Keys parsed once on every side: our Signer, jose's imported key, KeyObjects, fast-jwt's signer.
  const signer = new Signer(priv, { alg });
  await row(`${alg} sign`, () => signer.sign(payload), {
    jose: () => new jose.SignJWT(payload).setProtectedHeader({ alg }).sign(josePriv),
    jsonwebtoken: () => jsonwebtoken.sign(payload, jwtKey, { algorithm: alg }),
    'fast-jwt': () => fastSign(payload),
    'node:crypto': () => nodeJwt(alg, nodePriv, nodeOpts),
  });
  const token = sign(payload, priv, { alg });
  const v = new Verifier(alg === 'HS256' ? { secret } : { key: pub });
  const fastVerify = createVerifier({ key: alg === 'HS256' ? Buffer.from(secret) : pub, algorithms: [alg], cache: false });
  await row(`${alg} verify`, () => v.verify(token), {
    jose: () => jose.jwtVerify(token, josePub),
    jsonwebtoken: () => jsonwebtoken.verify(token, alg === 'HS256' ? Buffer.from(secret) : nodePub, { algorithms: [alg] }),
    'fast-jwt': () => fastVerify(token),
    'node:crypto': () => nodeCheck(alg, nodePub, token, nodeOpts),
  });
}

const d = new Delegator(tenant);
const now = Math.floor(Date.now() / 1000);
const rsToken = sign({ iss: tenant.issuer, sub: 'auth0|b', aud: 'spa', iat: now, exp: now + 3600, email: 'b@example.com' }, keys.rsa.jwk, { alg: 'RS256', kid: 'rsa-1' });
const hsClient = tenant.clients.find((c) => c.client_id === 'web-hs');
const hsToken = sign({ iss: tenant.issuer, sub: 'auth0|b', aud: 'web-hs', iat: now, exp: now + 3600 }, hsClient.client_secret, { alg: 'HS256' });
const req = (client_id, id_token, target) => ({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id, id_token, target });
// The same HS256→HS256 delegation written with each peer, as the least an endpoint built on it
// does: check the request, verify the caller's id_token (signature, exp, aud, iss), mint the
// target's token with the claims ours writes (iss, sub, aud, iat, exp, azp, a random 16-byte jti;
// typ JWT) and answer {token_type, expires_in, id_token}. Ours also applies the tenant's client,
// target and scope rules.
const hsKey = Buffer.from(hsClient.client_secret);
const minted = (r, sub) => {
  const t = Math.floor(Date.now() / 1000);
  return { iss: tenant.issuer, sub, aud: r.target, iat: t, exp: t + 600, azp: r.client_id, jti: randomBytes(16).toString('base64url') };
};
const checked = (r) => {
  if (r.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || r.client_id !== 'web-hs' || typeof r.id_token !== 'string' || r.target !== 'web-hs') throw new Error('invalid_request');
  return r;
};
const answer = (id_token) => ({ token_type: 'Bearer', expires_in: 600, id_token });
const fastVerifyId = createVerifier({ key: hsKey, algorithms: ['HS256'], allowedAud: 'web-hs', allowedIss: tenant.issuer, cache: false });
const fastSignTarget = createSigner({ key: hsKey, algorithm: 'HS256', header: { typ: 'JWT' } });
const joseKey = new Uint8Array(hsKey);
const hsPeers = {
  jose: async () => {
    const r = checked(req('web-hs', hsToken, 'web-hs'));
    const { payload } = await jose.jwtVerify(r.id_token, joseKey, { algorithms: ['HS256'], audience: 'web-hs', issuer: tenant.issuer });
    return answer(await new jose.SignJWT(minted(r, payload.sub)).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(joseKey));
  },
  jsonwebtoken: () => {
    const r = checked(req('web-hs', hsToken, 'web-hs'));
    const u = jsonwebtoken.verify(r.id_token, hsKey, { algorithms: ['HS256'], audience: 'web-hs', issuer: tenant.issuer });
    return answer(jsonwebtoken.sign(minted(r, u.sub), hsKey, { algorithm: 'HS256' }));
  },
  'fast-jwt': () => {
    const r = checked(req('web-hs', hsToken, 'web-hs'));
    return answer(fastSignTarget(minted(r, fastVerifyId(r.id_token).sub)));
  },
};
// Each peer's answer verifies with the client's secret and carries the claims ours does.
const claimNames = (a) => Object.keys(new Verifier({ secret: hsKey, audience: 'web-hs' }).verify(a.id_token).payload).sort().join();
for (const [peer, fn] of Object.entries(hsPeers)) {
  if (claimNames(await fn()) !== claimNames(d.delegate(req('web-hs', hsToken, 'web-hs')))) throw new Error(`${peer}'s delegation mints other claims`);
}
await row('delegate HS256→HS256', () => d.delegate(req('web-hs', hsToken, 'web-hs')), hsPeers);
await row('delegate RS256→RS256', () => d.delegate(req('spa', rsToken, 'api-rs')), {});
await row('delegate RS256→ES256', () => d.delegate(req('spa', rsToken, 'api-es')), {});
// The SAML add-ons: one RS256 verify, then one (sap_api) or two (aws: assertion and response) RSA-SHA256 signatures.
const ds = new Delegator({ ...tenant, clients: [...tenant.clients, ...fixture('addons.json').clients] });
await row('delegate RS256→sap_api (SAML)', () => ds.delegate({ ...req('spa', rsToken, 'addons'), api_type: 'sap_api' }), {});
await row('delegate RS256→aws (SAML, 2 signatures)', () => ds.delegate({ ...req('spa', rsToken, 'addons'), api_type: 'aws' }), {});

// Cold start varies by 2-3 ms between processes on this machine: many runs, median and quartiles.
// Each process reports V8's compile + instantiate of the module (the goal's measure: the two
// WebAssembly constructors the nodejs glue calls, timed around them) and the whole first
// `require` (that plus Node's first require, reading the file and loading the JS).
const coldChild = `
const { Module, Instance } = WebAssembly; let wasm = 0;
const timed = (C) => function (...a) { const t = performance.now(); const x = new C(...a); wasm += performance.now() - t; return x; };
WebAssembly.Module = timed(Module); WebAssembly.Instance = timed(Instance);
const t = performance.now(); require('./pkg/node.cjs'); const all = performance.now() - t;
console.log(JSON.stringify([wasm, all]));`;
const cold = [];
const COLD_RUNS = 21;
for (let i = 0; i < COLD_RUNS; i++) {
  cold.push(JSON.parse(execFileSync(process.execPath, ['-e', coldChild], { cwd: new URL('..', import.meta.url), encoding: 'utf8' })));
}
const coldWasm = cold.map((c) => c[0]).sort((a, b) => a - b);
const coldAll = cold.map((c) => c[1]).sort((a, b) => a - b);

const fmt = (x) => (x === undefined ? '' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ratio = (o, p, digits = 2) => (p ? `${(o / p).toFixed(digits)}x` : '');
console.log(`Node ${process.version}, ${cpus()[0].model}, ${cpus().length} cores; best of ${WINDOWS} windows of ${MS} ms per cell, a row's sides taking windows in turn; ops/s (ours ÷ peer)`);
const peers = ['jose', 'jsonwebtoken', 'fast-jwt', 'node:crypto'];
console.log(`| operation | edge-delegation | ${peers.map((p) => `${p} | ratio`).join(' | ')} |`);
console.log(`|---|---:|${peers.map(() => '---:|---:').join('|')}|`);
for (const r of rows) {
  console.log(`| ${r.name} | ${fmt(r.ours)} | ${peers.map((p) => `${fmt(r[p])} | ${ratio(r.ours, r[p])}`).join(' | ')} |`);
}
const at = (xs, q) => xs[Math.round(q * (xs.length - 1))].toFixed(1);
const spread = (xs) => `median of ${xs.length} processes ${at(xs, 0.5)} ms (quartiles ${at(xs, 0.25)}-${at(xs, 0.75)} ms)`;
console.log(`\ncold start, compile + instantiate (WebAssembly.Module + Instance): ${spread(coldWasm)}`);
console.log(`cold start, whole first require of the package: ${spread(coldAll)}`);

// The goal table of issue 6, checked against this run (a report, not a test: no exit code).
// The workerd row is `npm run bench:workerd`'s.
const wasmBytes = readFileSync(new URL('../pkg/node/edge_delegation_bg.wasm', import.meta.url));
const gz = gzipSync(wasmBytes, { level: 9 }).length;
const cell = (name, peer = 'ours') => rows.find((r) => r.name === name)?.[peer];
const us = (name) => 1e6 / cell(name);
const atLeast = (name, peer, x) => cell(name) / cell(name, peer) >= x;
// One more decimal than the table above, so that a figure shown as on the line is not judged
// across it (a 1.497x shown as 1.50x, judged below 1.5).
const ratio3 = (o, p) => ratio(o, p, 3);
const goals = [
  ['RS256 sign (2048-bit)', '≤ 2 ms', `${(us('RS256 sign') / 1000).toFixed(3)} ms`, us('RS256 sign') <= 2000],
  ['RS256 verify', '≤ 150 µs', `${us('RS256 verify').toFixed(1)} µs`, us('RS256 verify') <= 150],
  ['ES256 sign / verify', '≤ 250 / 400 µs', `${us('ES256 sign').toFixed(1)} / ${us('ES256 verify').toFixed(1)} µs`, us('ES256 sign') <= 250 && us('ES256 verify') <= 400],
  ['EdDSA sign / verify', '≥ fast-jwt', `${ratio3(cell('EdDSA sign'), cell('EdDSA sign', 'fast-jwt'))} / ${ratio3(cell('EdDSA verify'), cell('EdDSA verify', 'fast-jwt'))}`, atLeast('EdDSA sign', 'fast-jwt', 1) && atLeast('EdDSA verify', 'fast-jwt', 1)],
  ...['HS256 sign', 'HS256 verify', 'delegate HS256→HS256'].map((name) => [
    name,
    '≥ 1.5x fast-jwt and jsonwebtoken',
    `${ratio3(cell(name), cell(name, 'fast-jwt'))} / ${ratio3(cell(name), cell(name, 'jsonwebtoken'))}`,
    atLeast(name, 'fast-jwt', 1.5) && atLeast(name, 'jsonwebtoken', 1.5),
  ]),
  ['module size (gzip -9, this build)', '≤ 150 KB', `${gz.toLocaleString('en-US')} B (${wasmBytes.length.toLocaleString('en-US')} B raw)`, gz <= 150_000],
  ['cold start (compile + instantiate, median)', '≤ 10 ms', `${at(coldWasm, 0.5)} ms`, Number(at(coldWasm, 0.5)) <= 10],
];
console.log('\n| goal (issue 6) | target | this run | met |');
console.log('|---|---|---|---|');
for (const [name, target, now, met] of goals) console.log(`| ${name} | ${target} | ${now} | ${met ? 'yes' : 'no'} |`);
console.log('| every delegate path in workerd | ≤ 2 ms CPU | `npm run bench:workerd` | |');
