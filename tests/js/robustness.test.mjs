// The worst inputs we can think of, through the built wasm module, each followed by a normal
// call on the same instance: a Rust panic in wasm is a trap that kills the instance, so a
// working call afterwards is the proof that none happened (and the error is typed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Delegator, Verifier, verify, sign, decode, createHandler, DelegationError, VerifyError, ConfigError } from 'edge-delegation';
import { tenant as base, tenantWithAddons, keys, NOW, params, joseIdToken } from './helpers.mjs';

const tenant = tenantWithAddons;
const d = new Delegator(tenant);
const idt = await joseIdToken('spa');
const SECRET = 'robustness-secret-of-at-least-32-bytes';
const v = new Verifier({ secret: SECRET });
const good = sign({ sub: 'u', exp: NOW + 60 }, SECRET, { alg: 'HS256' });

function stillWorks() {
  assert.equal(d.delegate(params('spa', idt, { target: 'api-rs' }), { now: NOW }).token_type, 'Bearer');
  assert.equal(d.delegate(params('spa', idt, { target: 'addons', api_type: 'firebase' }), { now: NOW }).expires_in, 3600);
  assert.equal(v.verify(good, { currentDate: new Date(NOW * 1000) }).payload.sub, 'u');
}

/** `fn` must throw one of our typed errors (or succeed), and the instance must keep working. */
function survives(what, fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DelegationError || e instanceof VerifyError || e instanceof ConfigError, `${what}: ${e?.name}: ${e?.message}`);
    assert.equal(typeof e.code, 'string', what);
  }
  stillWorks();
}

const b64 = (s) => Buffer.from(s).toString('base64url');
const lone = 'a\uD800b\uDFFFc';
const deepText = (n) => '['.repeat(n) + ']'.repeat(n);

test('worst tokens: huge, lone surrogates, NUL, deep JSON, giant numbers, every length of garbage', () => {
  const tokens = [
    'x'.repeat(10 * 1024 * 1024),
    '.'.repeat(100_000),
    `${b64('{"alg":"HS256"}')}.${b64('{}')}.${'A'.repeat(16 * 1024)}`,
    lone, `${lone}.${lone}.${lone}`, '\0.\0.\0', '\u2028.\u2029.',
    `${b64(deepText(100_000))}.${b64('{}')}.AA`,
    `${b64('{"alg":"HS256"}')}.${b64(`{"a":${deepText(50_000)}}`)}.AA`,
    `${b64('{"alg":"HS256"}')}.${b64('{"exp":1e400,"nbf":-1e400,"iat":18446744073709551616}')}.AA`,
    `${b64('{"alg":"HS256","crit":[' + '"x",'.repeat(10_000) + '"y"]}')}.${b64('{}')}.AA`,
    `${b64('{"alg":"RS256","kid":"' + 'k'.repeat(100_000) + '"}')}.${b64('{}')}.AA`,
  ];
  for (let i = 0; i < 64; i++) tokens.push(good.slice(0, i * 3) + '\uFFFD' + good.slice(i * 3 + 1));
  for (const t of tokens) {
    survives(`verify ${t.slice(0, 20)}`, () => v.verify(t, { currentDate: new Date(NOW * 1000) }));
    survives(`decode ${t.slice(0, 20)}`, () => decode(t));
    survives(`delegate ${t.slice(0, 20)}`, () => d.delegate(params('spa', t, { target: 'addons', api_type: 'azure_blob' }), { now: NOW }));
  }
});

test('worst tenants and keys: deep, cyclic, throwing getters, BigInt, huge JWKs and PEMs', () => {
  const throwing = { get issuer() { throw new Error('getter explodes'); } };
  const cyclic = { issuer: 'x', clients: [] };
  cyclic.clients.push(cyclic);
  const many = { ...tenant, clients: Array.from({ length: 3000 }, (_, i) => ({ client_id: `c${i}`, client_secret: 's'.repeat(40), jwt_configuration: { alg: 'HS256' } })) };
  const badAddon = (api, s) => ({ ...tenant, clients: [...base.clients, { client_id: 'z', addons: { [api]: s } }] });
  const inputs = [
    deepText(200_000), `{"issuer":"x","clients":${deepText(100_000)}}`, throwing, cyclic, { issuer: 10n, clients: [] },
    new Proxy({}, { ownKeys() { throw new Error('proxy'); } }),
    { ...tenant, signing_keys: [{ kty: 'RSA', kid: 'big', n: 'A'.repeat(1 << 20), e: 'AQAB', d: 'A'.repeat(1 << 20) }] },
    { ...tenant, signing_keys: [{ kty: 'RSA', kid: 'e', ...keys.rsa.jwk, e: 'A'.repeat(5000) }] },
    { ...tenant, signing_keys: [{ kty: 'EC', kid: 'c', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' }] },
    { ...tenant, signing_keys: [{ kty: 'OKP', kid: 'o', crv: 'Ed25519', x: 'A'.repeat(43), d: 'A'.repeat(43) }] },
    badAddon('firebase', { client_email: 'a@b', private_key: `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(1 << 20)}\n-----END PRIVATE KEY-----` }),
    badAddon('layer', { providerId: 'p', keyId: 'k', privateKey: '-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----' }),
    badAddon('azure_blob', { accountName: 'abc', storageAccessKey: '=' .repeat(10_000), containerName: 'abc', blob_read: true }),
    badAddon('azure_sb', { namespace: lone, sasKeyName: lone, sasKey: lone, expiration: 1e308 }),
    badAddon('salesforce_api', { clientid: 'x', communityName: '\0' }),
    many,
  ];
  for (const t of inputs) survives('tenant', () => new Delegator(t));
  for (const key of [{ kty: 'RSA', n: 'A'.repeat(1 << 20), e: 'AQAB' }, 'A'.repeat(1 << 20), `-----BEGIN PUBLIC KEY-----\n${'Z'.repeat(1 << 20)}\n-----END PUBLIC KEY-----`, { keys: [] }]) {
    survives('verifier key', () => new Verifier({ key }).verify(good));
    survives('sign key', () => sign({ sub: 'u' }, key, { alg: 'RS256' }));
  }
  survives('jwks of 10k keys', () => new Verifier({ jwks: { keys: Array.from({ length: 10_000 }, (_, i) => ({ kty: 'oct', kid: `${i}`, k: 'AA' })) } }).verify(good));
  survives('5 MB payload', () => sign({ blob: 'x'.repeat(5 << 20) }, SECRET, { alg: 'HS256' }));
});

test('worst requests and policies: huge, lone surrogates, odd clocks, hostile policy results', async () => {
  const big = new URLSearchParams();
  for (let i = 0; i < 10_000; i++) big.append(`p${i}`, lone);
  for (const [p, now] of [
    [big, NOW], [params('spa', idt, { target: lone, scope: lone, api_type: lone }), NOW],
    [params('spa', idt, { target: 'addons', api_type: 'layer', nonce: 'n'.repeat(1 << 20) }), NOW],
    [params('spa', idt), Infinity], [params('spa', idt), -1e300], [params('spa', idt), 2 ** 63], [params('spa', idt), -0],
  ]) survives('request', () => d.delegate(p, { now }));
  const hostile = [
    () => { throw new Error('x'); }, () => { throw null; }, () => ({ claims: { get x() { throw new Error('getter'); } } }),
    () => ({ claims: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`c${i}`, lone])) }),
    () => ({ addon: { private_key: 'x'.repeat(1 << 20) } }), () => ({ deny: 'x'.repeat(1 << 20) }), () => ({ claims: { d: JSON.parse(deepText(2000)) } }),
    () => 10n, () => Symbol('s'), () => ({ then: 5 }),
  ];
  for (const policy of hostile) {
    const pd = new Delegator(tenant, { policy });
    for (const api of ['app', 'firebase', 'azure_blob']) survives(`policy ${policy}`, () => pd.delegate(params('spa', idt, { target: 'addons', api_type: api }), { now: NOW }));
  }
  const handle = createHandler(tenant, { rateLimit: false, policy: hostile[2] });
  for (const body of ['x'.repeat(200_000), deepText(100_000), lone, JSON.stringify(params('spa', idt, { target: 'addons' }))]) {
    const r = await handle(new Request('http://edge.test/delegation', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    assert.ok([400, 401, 413, 500].includes(r.status), `status ${r.status}`);
    assert.equal(typeof (await r.json()).error, 'string');
  }
  stillWorks();
});
