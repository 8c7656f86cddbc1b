// The edge handler from JavaScript: createHandler with Fetch API Requests, the Node adapter on
// a real 127.0.0.1 server (fetch and curl against it), rate-limit stores, load and faults.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { connect } from 'node:net';
import * as jose from 'jose';
import { createHandler, toNodeListener, MemoryRateLimitStore, ConfigError, sign } from 'edge-delegation';
import { tenant, keys, client } from './helpers.mjs';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const now = () => Math.floor(Date.now() / 1000);
const idToken = (sub = 'auth0|user-1', aud = 'spa') =>
  sign({ iss: tenant.issuer, sub, aud, iat: now(), exp: now() + 600, email: 'ada@example.com' }, keys.rsa.jwk, { alg: 'RS256', kid: 'rsa-1' });
const hsToken = (sub) => sign({ iss: tenant.issuer, sub, aud: 'web-hs', iat: now(), exp: now() + 600 }, client('web-hs').client_secret, { alg: 'HS256' });
const post = (path, body, headers = {}) =>
  new Request(`https://edge.example${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('createHandler: delegation, token exchange and JWKS over Fetch API objects', async () => {
  const handle = createHandler(tenant);
  const res = await handle(post('/delegation', { grant_type: GRANT, client_id: 'spa', id_token: idToken(), target: 'api-rs' }));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-ratelimit-limit'), '10');
  const body = await res.json();
  const jwks = await (await handle(new Request('https://edge.example/.well-known/jwks.json'))).json();
  const { payload } = await jose.jwtVerify(body.id_token, jose.createLocalJWKSet(jwks), { issuer: tenant.issuer, audience: 'api-rs' });
  assert.equal(payload.azp, 'spa');

  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', client_id: 'spa', subject_token: idToken(),
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', audience: 'api-es', scope: 'openid email',
  });
  const te = await handle(new Request('https://edge.example/oauth/token', { method: 'POST', body: form }));
  assert.equal(te.status, 200);
  const out = await te.json();
  assert.deepEqual(Object.keys(out), ['access_token', 'issued_token_type', 'token_type', 'expires_in']);
  assert.equal(out.token_type, 'N_A');
  const v = await jose.jwtVerify(out.access_token, jose.createLocalJWKSet(jwks), { audience: 'api-es' });
  assert.equal(v.payload.email, 'ada@example.com');
});

test('createHandler: errors are JSON with the right status', async () => {
  const handle = createHandler(tenant, { corsOrigins: ['https://app.example'] });
  const cases = [
    [new Request('https://e/x'), 404],
    [new Request('https://e/delegation'), 405],
    [new Request('https://e/delegation', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }), 415],
    [new Request('https://e/delegation', { method: 'POST', body: 'a=1' }), 415], // text/plain
    [new Request('https://e/delegation', { method: 'POST', body: new URLSearchParams([['client_id', 'a'], ['client_id', 'b']]) }), 400],
    [new Request('https://e/delegation', { method: 'POST', body: '{"a":', headers: { 'content-type': 'application/json' } }), 400],
    [new Request('https://e/delegation', { method: 'POST', body: 'x'.repeat(70 * 1024), headers: { 'content-type': 'application/json' } }), 413],
    [post('/delegation', { grant_type: GRANT, client_id: 'spa', id_token: 'a.b.c' }), 401],
    [post('/delegation', { grant_type: GRANT, client_id: 'spa', id_token: idToken() }, { origin: 'https://evil.example' }), 403],
  ];
  for (const [req, status] of cases) {
    const res = await handle(req);
    assert.equal(res.status, status, `${req.method} ${req.url}`);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const body = await res.json();
    assert.equal(typeof body.error, 'string');
    assert.equal(typeof body.error_description, 'string');
  }
  const pre = await handle(new Request('https://e/delegation', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } }));
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.throws(() => createHandler(tenant, { cors: [] }), ConfigError);
  assert.throws(() => createHandler(tenant, { rateLimitStore: {} }), ConfigError);
  assert.throws(() => createHandler({}, {}), ConfigError);
});

test('rate limiting: Auth0 headers, 429, custom async stores, a failing store', async () => {
  const handle = createHandler(tenant);
  const req = () => post('/delegation', { grant_type: GRANT, client_id: 'spa', id_token: idToken() });
  for (let i = 1; i <= 10; i++) {
    const r = await handle(req(), { ip: '203.0.113.5' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-remaining'), String(10 - i));
  }
  const limited = await handle(req(), { ip: '203.0.113.5' });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.equal((await handle(req(), { ip: '203.0.113.6' })).status, 200, 'per IP');

  // A KV- or Durable-Object-style store: asynchronous.
  const seen = [];
  const kv = { async hit(key, t, windowSeconds) { seen.push([key, windowSeconds]); await new Promise((r) => setTimeout(r, 1)); return { count: 1, reset: t + windowSeconds }; } };
  const viaKv = createHandler(tenant, { rateLimitStore: kv, rateLimit: { limit: 3, windowSeconds: 30 } });
  const r = await viaKv(req(), { ip: '198.51.100.1' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-ratelimit-limit'), '3');
  assert.deepEqual(seen, [['auth0|user-1|198.51.100.1', 30]]);
  const broken = createHandler(tenant, { rateLimitStore: { hit: async () => { throw new Error('kv down: secret-token-xyz'); } } });
  const failed = await broken(req());
  assert.equal(failed.status, 500);
  assert.doesNotMatch(await failed.text(), /secret-token-xyz/);
  assert.equal((await createHandler(tenant, { rateLimit: false })(req())).headers.get('x-ratelimit-limit'), null);

  const store = new MemoryRateLimitStore();
  assert.deepEqual(store.hit('k', 100, 60), { count: 1, reset: 160 });
  assert.deepEqual(store.hit('k', 159, 60), { count: 2, reset: 160 });
  assert.deepEqual(store.hit('k', 160, 60), { count: 1, reset: 220 });
  // A flood of distinct keys (one per client IP) stays bounded: past 10,000 live keys the oldest
  // are dropped (to 9,000, then again 1,000 keys later); expired windows go first.
  const flood = new MemoryRateLimitStore();
  flood.hit('first', 100, 60);
  flood.hit('first', 100, 60);
  for (let i = 0; i < 9999; i++) flood.hit(`ip-${i}`, 100, 60);
  assert.deepEqual(flood.hit('first', 100, 60), { count: 3, reset: 160 }, 'kept below the cap');
  flood.hit('one-more', 100, 60); // the 10,001st key: the oldest 1,000 go
  assert.deepEqual(flood.hit('first', 101, 60), { count: 1, reset: 161 }, 'the oldest key was dropped');
  assert.deepEqual(flood.hit('ip-998', 101, 60), { count: 1, reset: 161 }, 'so were the next 999');
  assert.deepEqual(flood.hit('ip-999', 101, 60), { count: 2, reset: 160 }, 'newer keys keep their counts');
  for (let i = 0; i < 20000; i++) flood.hit(`more-${i}`, 102, 60);
  assert.deepEqual(flood.hit('more-19000', 102, 60), { count: 2, reset: 162 }, 'the newest keys are kept');
  assert.deepEqual(flood.hit('more-0', 102, 60), { count: 1, reset: 162 }, 'the oldest are dropped');
  for (let i = 0; i < 10; i++) flood.hit(`late-${i}`, 200, 60); // every window above has expired
  assert.deepEqual(flood.hit('more-19999', 200, 60), { count: 1, reset: 260 });
});

let server;
let base;
before(async () => {
  server = createServer(toNodeListener(createHandler(tenant, { rateLimit: { limit: 1000 } })));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

test('Node server: 100 concurrent delegations all answered correctly', async () => {
  const jwks = jose.createLocalJWKSet(await (await fetch(`${base}/.well-known/jwks.json`)).json());
  const results = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
    const res = await fetch(`${base}/delegation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: GRANT, client_id: 'web-hs', id_token: hsToken(`auth0|load-${i}`), target: 'api-es' }),
    });
    assert.equal(res.status, 200);
    const { payload } = await jose.jwtVerify((await res.json()).id_token, jwks, { audience: 'api-es' });
    return payload.sub;
  }));
  assert.deepEqual(new Set(results).size, 100);
});

function raw(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('Node server: faults get clean JSON errors', async () => {
  const cases = [
    [raw('POST', '/delegation', { 'content-type': 'application/json' }, '{"grant_type":'), 400],
    [raw('POST', '/delegation', { 'content-type': 'application/x-www-form-urlencoded' }, 'client_id=a&client_id=b'), 400],
    [raw('DELETE', '/delegation', {}, ''), 405],
    [raw('POST', '/delegation', {}, '{}'), 415],
    [raw('POST', '/delegation', { 'content-type': 'application/json' }, Buffer.alloc(1024 * 1024, 32)), 413],
    [raw('GET', '/', {}, ''), 404],
  ];
  for (const [p, status] of cases) {
    const r = await p;
    assert.equal(r.status, status, r.text);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.equal(typeof JSON.parse(r.text).error, 'string');
  }
});

test('curl against the example server, as the README shows it; a CR in a header gets JSON too', async () => {
  const child = spawn(process.execPath, ['examples/node-server.mjs'], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(child.stdout, 'data');
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(String(line))[0];
    const demo = JSON.parse(execFileSync(process.execPath, ['-e', "process.stdout.write(require('fs').readFileSync('examples/demo-tenant.json','utf8'))"], { encoding: 'utf8' }));
    const key = demo.signing_keys[0];
    const token = sign({ iss: demo.issuer, sub: 'auth0|curl', aud: 'spa', iat: now(), exp: now() + 60 }, key, { alg: 'RS256', kid: key.kid });
    const out = execFileSync('curl', ['-sS', '-X', 'POST', `${url}/delegation`,
      '-d', `grant_type=${GRANT}`, '-d', 'client_id=spa', '-d', `id_token=${token}`, '-d', 'target=api-rs'], { encoding: 'utf8' });
    const body = JSON.parse(out);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    // A header value with a bare CR never reaches the handler; the server still answers JSON.
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.end('POST /delegation HTTP/1.1\r\nHost: x\r\nX-Evil: a\rb\r\ncontent-length: 0\r\n\r\n');
    let raw = '';
    for await (const chunk of socket) raw += chunk;
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).error, 'invalid_request');
  } finally {
    child.kill();
  }
});
