// The add-on formats judged by the providers' own software, started here: Azurite reads (and
// refuses) with our SAS, @azure/storage-blob and @azure/core-amqp produce the same bytes,
// firebase-admin makes the same custom token, and jose verifies every JWT. Then the policy
// hook, through Delegator and createHandler.
import { test, before, after } from 'node:test';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { jwtVerify, decodeProtectedHeader, createLocalJWKSet, importJWK } from 'jose';
import { BlobServiceClient, StorageSharedKeyCredential, generateBlobSASQueryParameters, BlobSASPermissions, ContainerSASPermissions } from '@azure/storage-blob';
import { createSasTokenProvider } from '@azure/core-amqp';
import { initializeApp, cert, deleteApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { Delegator, Verifier, decode, createHandler, DelegationError, ConfigError } from 'edge-delegation';
import { addonSettings, withSettings, tenantWithAddons, keys, NOW, params, joseIdToken } from './helpers.mjs';
import { startAzurite, ACCOUNT, ACCOUNT_KEY } from './azurite.mjs';

const tenant = tenantWithAddons;
const settings = addonSettings;
const d = new Delegator(tenant);
const idt = await joseIdToken('spa');
const ask = (api_type, target = 'addons', extra = {}, dd = d, now = NOW) => dd.delegate(params('spa', idt, { api_type, target, ...extra }), { now });
const IDENTITY_TOOLKIT = 'https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit';
const publicKey = (k) => createPublicKey(keys[k].public_spki);

/** Runs `fn` with Date.now() fixed at Unix second `t` (the SDKs read the clock themselves). */
async function at(t, fn) {
  const real = Date.now;
  Date.now = () => t * 1000;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

// ---------------------------------------------------------------------------------------
// azure_blob, against Azurite and @azure/storage-blob.

let azurite;
let service;
const cred = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
// Azurite checks `se` against the real clock, so these requests use it.
const realNow = () => Math.floor(Date.now() / 1000);
async function liveIdToken(now) {
  return joseIdToken('spa', { claims: { iat: now - 60, exp: now + 7200 } });
}
async function sas(target, { now = realNow(), dd = d } = {}) {
  const token = await liveIdToken(now);
  return dd.delegate(params('spa', token, { api_type: 'azure_blob', target }), { now });
}

before(async () => {
  azurite = await startAzurite();
  service = new BlobServiceClient(azurite.url, cred);
  const container = service.getContainerClient('reports');
  await container.create();
  await container.getBlockBlobClient('q3/summary.txt').upload('quarterly summary', 17);
  await container.getBlockBlobClient('users/ada.txt').upload('ada only', 8);
});

after(async () => {
  await azurite?.stop();
});

const blobUrl = (name) => `${azurite.url}/reports/${name}`;

test('azure_blob: the SAS reads the blob in Azurite; write and delete get 403', async () => {
  const res = await sas('addons');
  assert.equal(res.expires_in, 300);
  const get = await fetch(`${blobUrl('q3/summary.txt')}?${res.azure_blob_sas}`);
  assert.equal(get.status, 200, await get.clone().text());
  assert.equal(await get.text(), 'quarterly summary');
  const put = await fetch(`${blobUrl('q3/summary.txt')}?${res.azure_blob_sas}`, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' });
  assert.equal(put.status, 403);
  const del = await fetch(`${blobUrl('q3/summary.txt')}?${res.azure_blob_sas}`, { method: 'DELETE' });
  assert.equal(del.status, 403);
  // Another blob of the same container is outside a blob SAS.
  assert.equal((await fetch(`${blobUrl('users/ada.txt')}?${res.azure_blob_sas}`)).status, 403);
  // A tampered signature is refused.
  const bad = res.azure_blob_sas.replace(/sig=([^&])/, (_, c) => `sig=${c === 'A' ? 'B' : 'A'}`);
  assert.equal((await fetch(`${blobUrl('q3/summary.txt')}?${bad}`)).status, 403);
  assert.equal(await (await service.getContainerClient('reports').getBlobClient('q3/summary.txt').downloadToBuffer()).toString(), 'quarterly summary');
});

test('azure_blob: an expired SAS gets 403', async () => {
  const past = realNow() - 3600; // se = an hour ago + 5 minutes
  const res = await sas('addons', { now: past });
  assert.equal((await fetch(`${blobUrl('q3/summary.txt')}?${res.azure_blob_sas}`)).status, 403);
});

test('azure_blob: a container SAS with container_list lists the container', async () => {
  const res = await sas('container');
  assert.match(res.azure_blob_sas, /&sr=c&sp=rl&/);
  const list = await fetch(`${azurite.url}/reports?restype=container&comp=list&${res.azure_blob_sas}`);
  assert.equal(list.status, 200);
  const xml = await list.text();
  assert.ok(xml.includes('<Name>q3/summary.txt</Name>') && xml.includes('<Name>users/ada.txt</Name>'), xml);
  assert.equal((await fetch(`${blobUrl('users/ada.txt')}?${res.azure_blob_sas}`)).status, 200);
  assert.equal((await fetch(`${blobUrl('new.txt')}?${res.azure_blob_sas}`, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' })).status, 403);
});

test('azure_blob: byte-identical to generateBlobSASQueryParameters (2020-12-06 and the SDK default)', () => {
  const cases = [
    [{ blobName: 'q3/summary.txt', blob_read: true }, { blobName: 'q3/summary.txt', permissions: BlobSASPermissions.parse('r') }],
    [{ blobName: 'a b/ü (1).txt', blob_read: true, blob_write: true, blob_delete: true, signedIdentifier: 'pol-1', expiration: 60 }, { blobName: 'a b/ü (1).txt', permissions: BlobSASPermissions.parse('rwd'), identifier: 'pol-1' }],
    [{ container_read: true, container_write: true, container_delete: true, container_list: true, expiration: 7 }, { permissions: ContainerSASPermissions.parse('rwdl') }],
    [{ container_list: true }, { permissions: ContainerSASPermissions.parse('l') }],
    [{ blobName: 'x.txt', signedIdentifier: 'pol-2' }, { blobName: 'x.txt', identifier: 'pol-2' }],
  ];
  let compared = 0;
  for (const version of ['2020-12-06', undefined]) {
    for (const [ours, sdk] of cases) {
      const s = { accountName: ACCOUNT, storageAccessKey: ACCOUNT_KEY, containerName: 'reports', ...ours, ...(version ? { version } : {}) };
      const res = ask('azure_blob', 'addons', {}, new Delegator(withSettings('addons', 'azure_blob', s)));
      const minutes = ours.expiration ?? 5;
      const expected = generateBlobSASQueryParameters({ containerName: 'reports', expiresOn: new Date((NOW + minutes * 60) * 1000), ...sdk, ...(version ? { version } : {}) }, cred).toString();
      assert.equal(res.azure_blob_sas, expected, JSON.stringify(ours));
      assert.equal(res.expires_in, minutes * 60);
      compared += 1;
    }
  }
  assert.equal(compared, 10);
});

test('azure_blob: signedIdentifier works with a stored access policy; removing the policy revokes', async () => {
  // The policy carries the permissions, so the SAS must not repeat them (Azure refuses that).
  const container = service.getContainerClient('reports');
  await container.setAccessPolicy(undefined, [{ id: 'delegation-1', accessPolicy: { permissions: 'r' } }]);
  const { blob_read, ...rest } = settings('addons', 'azure_blob');
  assert.ok(blob_read);
  const t = withSettings('addons', 'azure_blob', { ...rest, signedIdentifier: 'delegation-1' });
  const res = await sas('addons', { dd: new Delegator(t) });
  assert.match(res.azure_blob_sas, /&si=delegation-1&sr=b&sig=/);
  const url = `${blobUrl('q3/summary.txt')}?${res.azure_blob_sas}`;
  assert.equal((await fetch(url)).status, 200);
  assert.equal((await fetch(url, { method: 'DELETE' })).status, 403, 'the policy grants read only');
  await container.setAccessPolicy(undefined, []);
  assert.equal((await fetch(url)).status, 403, 'revoked with the policy');
  // Without the policy, a SAS that grants nothing itself is refused at configuration.
  assert.throws(() => new Delegator(withSettings('addons', 'azure_blob', rest)), { name: 'ConfigError', message: /grants no permission/ });
});

// ---------------------------------------------------------------------------------------
// azure_sb, against @azure/core-amqp.

test('azure_sb: byte-identical to @azure/core-amqp\'s SAS token', async () => {
  const s = { ...settings('addons', 'azure_sb'), expiration: 60 }; // core-amqp signs for one hour
  const ours = ask('azure_sb', 'addons', {}, new Delegator(withSettings('addons', 'azure_sb', s)));
  const provider = createSasTokenProvider({ name: s.sasKeyName, key: s.sasKey });
  const theirs = await at(NOW, () => provider.getToken(`https://${s.namespace}.servicebus.windows.net/${s.entityPath}`));
  assert.equal(ours.azure_sb_sas, theirs.token);
  assert.equal(ours.expires_in, 3600);
  assert.equal(theirs.expiresOnTimestamp, NOW + 3600);
  // A key name and path that need encoding.
  const s2 = { namespace: 'edge-test', sasKeyName: 'send only', sasKey: 'k+/=ü', entityPath: 'topics/a b', expiration: 60 };
  const ours2 = ask('azure_sb', 'addons', {}, new Delegator(withSettings('addons', 'azure_sb', s2)));
  const theirs2 = await at(NOW, () => createSasTokenProvider({ name: s2.sasKeyName, key: s2.sasKey }).getToken('https://edge-test.servicebus.windows.net/topics/a b'));
  assert.equal(ours2.azure_sb_sas, theirs2.token);
});

// ---------------------------------------------------------------------------------------
// firebase, against firebase-admin and jose.

let appCount = 0;
async function adminToken(s, uid, claims) {
  const app = initializeApp({ credential: cert({ projectId: 'edge-test', clientEmail: s.client_email, privateKey: s.private_key }) }, `edge-test-${(appCount += 1)}`);
  try {
    return await at(NOW, () => getAuth(app).createCustomToken(uid, claims));
  } finally {
    await deleteApp(app);
  }
}

test('firebase v3: byte-identical to firebase-admin createCustomToken; jose verifies it', async () => {
  const s = settings('addons', 'firebase');
  const ours = ask('firebase');
  assert.equal(ours.id_token, await adminToken(s, 'auth0|user-1'));
  assert.equal(ours.expires_in, 3600);
  const { payload, protectedHeader } = await jwtVerify(ours.id_token, publicKey('rsa2'), { issuer: s.client_email, audience: IDENTITY_TOOLKIT, currentDate: new Date(NOW * 1000) });
  assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT' });
  assert.equal(payload.sub, s.client_email);
  assert.equal(payload.uid, 'auth0|user-1');
  assert.equal(payload.exp, NOW + 3600);
  // Developer claims, from the policy hook: still byte-identical.
  const withClaims = new Delegator(tenant, { policy: () => ({ claims: { premium: true, groups: ['a', 'b'], n: 7 } }) });
  assert.equal(ask('firebase', 'addons', {}, withClaims).id_token, await adminToken(s, 'auth0|user-1', { premium: true, groups: ['a', 'b'], n: 7 }));
});

test('firebase v3: private_key_id becomes the header kid', async () => {
  const t = withSettings('addons', 'firebase', { ...settings('addons', 'firebase'), private_key_id: '8f2b1c' });
  const res = ask('firebase', 'addons', {}, new Delegator(t));
  assert.deepEqual(decodeProtectedHeader(res.id_token), { alg: 'RS256', typ: 'JWT', kid: '8f2b1c' });
  await jwtVerify(res.id_token, publicKey('rsa2'), { issuer: settings('addons', 'firebase').client_email, audience: IDENTITY_TOOLKIT, currentDate: new Date(NOW * 1000) });
});

test('firebase v3: a uid over 128 characters and reserved developer claims get clear errors', async () => {
  const long = await joseIdToken('spa', { claims: { sub: 'x'.repeat(129) } });
  assert.throws(() => d.delegate(params('spa', long, { api_type: 'firebase', target: 'addons' }), { now: NOW }), { name: 'DelegationError', code: 'invalid_request', message: /uid is at most 128/ });
  await assert.rejects(adminToken(settings('addons', 'firebase'), 'x'.repeat(129)), /128 characters/); // firebase-admin agrees
  for (const name of ['iss', 'exp', 'nonce', 'jti']) {
    const dd = new Delegator(tenant, { policy: () => ({ claims: { [name]: 'x' } }) });
    assert.throws(() => ask('firebase', 'addons', {}, dd), { code: 'server_error', message: new RegExp(`claim "${name}", which Firebase reserves`) });
    await assert.rejects(adminToken(settings('addons', 'firebase'), 'u', { [name]: 'x' }), /reserved/);
  }
});

test('firebase legacy: {v:0, iat, d:{uid}} HS256 with the secret, verified by jose; over 1024 characters refused', async () => {
  const res = ask('firebase', 'fb-legacy');
  const secret = new TextEncoder().encode(settings('fb-legacy', 'firebase').secret);
  const { payload, protectedHeader } = await jwtVerify(res.id_token, secret, { algorithms: ['HS256'], currentDate: new Date(NOW * 1000) });
  assert.deepEqual(protectedHeader, { typ: 'JWT', alg: 'HS256' });
  assert.equal(payload.v, 0);
  assert.deepEqual(payload.d, { uid: 'auth0|user-1' });
  assert.equal(typeof payload.jti, 'string');
  assert.ok(res.id_token.length <= 1024);
  const big = new Delegator(tenant, { policy: () => ({ claims: { bio: 'x'.repeat(800) } }) });
  assert.throws(() => ask('firebase', 'fb-legacy', {}, big), { code: 'invalid_request', message: /at most 1024/ });
});

// ---------------------------------------------------------------------------------------
// wams, layer, salesforce: verified with independent keys and jose.

test('wams: the key recomputed with node:crypto (SHA-256 of masterkey + "JWTSig") verifies the token', async () => {
  const res = ask('wams');
  const key = createHash('sha256').update(settings('addons', 'wams').masterkey + 'JWTSig').digest();
  const { payload, protectedHeader } = await jwtVerify(res.id_token, key, { issuer: 'urn:microsoft:windows-azure:zumo', currentDate: new Date(NOW * 1000) });
  assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT', kid: '0' });
  assert.equal(payload.ver, 2);
  assert.equal(payload.uid, 'auth0|user-1');
  assert.equal(typeof payload.jti, 'string');
  // The master key itself (not its digest) does not verify it.
  await assert.rejects(jwtVerify(res.id_token, new TextEncoder().encode(settings('addons', 'wams').masterkey), { currentDate: new Date(NOW * 1000) }));
});

test('layer: header cty layer-eit;v=1 and kid, claims iss/prn/iat/exp/nce; nonce required', async () => {
  assert.throws(() => ask('layer'), { code: 'invalid_request', message: /parameter nonce is missing/ });
  const s = settings('addons', 'layer');
  const res = ask('layer', 'addons', { nonce: 'layer-nonce-1' });
  const { payload, protectedHeader } = await jwtVerify(res.id_token, publicKey('rsa'), { issuer: s.providerId, currentDate: new Date(NOW * 1000) });
  assert.deepEqual(protectedHeader, { typ: 'JWT', alg: 'RS256', cty: 'layer-eit;v=1', kid: s.keyId });
  assert.equal(payload.prn, 'auth0|user-1');
  assert.equal(payload.nce, 'layer-nonce-1');
  assert.equal(payload.iat, NOW);
  assert.equal(payload.exp, NOW + 600);
  assert.equal(res.expires_in, 600);
});

test('salesforce: the RS256 assertion (login vs test) and the exact token request; jose verifies it', async () => {
  const jwks = createLocalJWKSet(d.publicJwks());
  for (const [api, aud, sub] of [['salesforce_api', 'https://login.salesforce.com', 'api-user@edge-test.example'], ['salesforce_sandbox_api', 'https://test.salesforce.com', 'ada@example.com']]) {
    const res = ask(api);
    const { payload } = await jwtVerify(res.assertion, jwks, { issuer: settings('addons', api).clientid, audience: aud, subject: sub, currentDate: new Date(NOW * 1000) });
    assert.equal(payload.exp, NOW + 180);
    assert.equal(res.expires_in, 180);
    assert.deepEqual(res.token_request, {
      url: `${aud}/services/oauth2/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=${res.assertion}`,
    });
    const form = new URLSearchParams(res.token_request.body);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.equal(form.get('assertion'), res.assertion);
  }
});

// ---------------------------------------------------------------------------------------
// Bad settings and disabled add-ons.

test('bad add-on settings are ConfigErrors naming the setting; disabled add-ons are invalid_target', () => {
  const { accountName, ...noAccount } = settings('addons', 'azure_blob');
  assert.ok(accountName);
  assert.throws(() => new Delegator(withSettings('addons', 'azure_blob', noAccount)), (e) => e instanceof ConfigError && /^clients\[\d+\]\.addons\.azure_blob\.accountName$/.test(e.path) && /missing/.test(e.message));
  assert.throws(() => new Delegator(withSettings('addons', 'azure_blob', { ...settings('addons', 'azure_blob'), storageAccessKey: '%%%' })), { name: 'ConfigError', message: /storageAccessKey: is not base64/ });
  assert.throws(() => new Delegator(withSettings('addons', 'layer', { ...settings('addons', 'layer'), privateKey: keys.ec.private_pkcs8 })), { name: 'ConfigError', message: /layer\.privateKey: is an EC P-256 key, but the layer add-on signs RS256/ });
  assert.throws(() => new Delegator(withSettings('addons', 'azure_sb', { ...settings('addons', 'azure_sb'), expiration: -1 })), { name: 'ConfigError', message: /expiration: must be a whole number of minutes from 1 to 43200/ });
  assert.throws(() => ask('azure_blob', 'api-rs'), (e) => e instanceof DelegationError && e.code === 'invalid_target' && e.status === 400 && /azure_blob add-on is not enabled on target "api-rs"/.test(e.message));
  assert.throws(() => ask('aws', 'api-rs'), { code: 'invalid_target', message: /aws add-on is not enabled on target "api-rs"/ });
  assert.equal(ask('app', 'addons').token_type, 'Bearer', 'the instance keeps working');
});

// ---------------------------------------------------------------------------------------
// The policy hook.

test('policy: ctx, undefined, deny, claims and addon', () => {
  let seen;
  const dd = new Delegator(tenant, {
    policy(ctx) {
      seen = ctx;
      if (ctx.params.plan === 'closed') return { deny: 'delegation is closed for this plan' };
      if (ctx.apiType === 'azure_blob') return { addon: { blobName: `users/${ctx.params.who}.txt` } };
      if (ctx.target.client_id === 'api-rs') return { claims: { plan: ctx.params.plan } };
      return undefined;
    },
  });
  const plain = dd.delegate(params('spa', idt, { target: 'api-es', scope: 'openid  email' }), { now: NOW, ip: '198.51.100.7' });
  assert.deepEqual(seen, {
    client: { client_id: 'spa', name: 'Web app (SPA)' },
    target: { client_id: 'api-es', name: seen.target.name },
    apiType: 'app',
    scope: 'openid email',
    user: decode(idt).payload,
    params: {},
    ip: '198.51.100.7',
  });
  assert.equal(decode(plain.id_token).payload.plan, undefined);
  assert.throws(() => dd.delegate(params('spa', idt, { target: 'api-rs', plan: 'closed' }), { now: NOW }), { code: 'access_denied', status: 403, message: 'delegation is closed for this plan' });
  const gold = dd.delegate(params('spa', idt, { target: 'api-rs', plan: 'gold' }), { now: NOW });
  assert.equal(decode(gold.id_token).payload.plan, 'gold');
  assert.deepEqual(seen.params, { plan: 'gold' });
  // The per-user blob: the override changes the SAS for this call only.
  const ada = dd.delegate(params('spa', idt, { api_type: 'azure_blob', target: 'addons', who: 'ada' }), { now: NOW });
  const plainSas = ask('azure_blob');
  assert.notEqual(ada.azure_blob_sas, plainSas.azure_blob_sas);
  const t = withSettings('addons', 'azure_blob', { ...settings('addons', 'azure_blob'), blobName: 'users/ada.txt' });
  assert.equal(ada.azure_blob_sas, ask('azure_blob', 'addons', {}, new Delegator(t)).azure_blob_sas);
});

// A request crosses into wasm through the delegator's input room (encodeInto) up to 16K UTF-16
// units and as a string past that: whole either way, and a hook that delegates again with the
// same delegator while its own request is pending gets fresh room.
test('requests cross into wasm whole: non-ASCII and long parameters, a hook delegating again', () => {
  let inner;
  const dd = new Delegator(tenant, {
    policy(ctx) {
      if (ctx.params.again) inner = dd.delegate(params('spa', idt, { target: 'api-rs', plan: 'inner' }), { now: NOW });
      return { claims: { plan: ctx.params.plan } };
    },
  });
  // The last request is over 16K units (padded by a parameter the hook does not copy).
  for (const [plan, pad] of [['é ✓ 𝄞', ''], ['𝄞'.repeat(1500), ''], ['é ✓ 𝄞', 'é'.repeat(17000)]]) {
    const out = dd.delegate(params('spa', idt, { target: 'api-rs', plan, pad }), { now: NOW });
    assert.equal(decode(out.id_token).payload.plan, plan);
  }
  const outer = dd.delegate(params('spa', idt, { target: 'api-rs', plan: 'outer', again: '1' }), { now: NOW });
  assert.equal(decode(outer.id_token).payload.plan, 'outer');
  assert.equal(decode(inner.id_token).payload.plan, 'inner');
  // Without a hook: the same answer through the room and through the string path.
  const plain = new Delegator(tenant);
  const short = plain.delegate(params('spa', idt, { target: 'api-rs', scope: 'openid email' }), { now: NOW });
  const long = plain.delegate(params('spa', idt, { target: 'api-rs', scope: `openid email${' '.repeat(17000)}` }), { now: NOW });
  assert.deepEqual(decode(long.id_token).payload.email, decode(short.id_token).payload.email);
  assert.throws(() => plain.delegate(params('spa', `${idt}é`, { target: 'api-rs' }), { now: NOW }), { code: 'invalid_grant' });
});

test('requests whose values are all strings cross as name/value pairs, others as JSON: the same answers and refusals', () => {
  let seen;
  const dd = new Delegator(tenant, { policy(ctx) { seen = ctx.params; return { claims: { note: ctx.params.note } }; } });
  const ask = (p) => dd.delegate(p, { now: NOW });
  // Strings (pairs), then values only JSON carries: a number, a NUL, a lone surrogate, toJSON.
  assert.equal(decode(ask(params('spa', idt, { target: 'api-rs', note: 'é 𝄞', '': '' })).id_token).payload.note, 'é 𝄞');
  assert.deepEqual(seen, { note: 'é 𝄞', '': '' });
  assert.equal(decode(ask(params('spa', idt, { target: 'api-rs', note: 7 })).id_token).payload.note, 7);
  assert.equal(decode(ask(params('spa', idt, { target: 'api-rs', note: 'a\0b', 'x\0y': 'z' })).id_token).payload.note, 'a\0b');
  assert.deepEqual(seen, { note: 'a\0b', 'x\0y': 'z' });
  assert.throws(() => ask(params('spa', idt, { target: 'api-rs', note: 'a\uD800' })), { code: 'invalid_request', message: /not valid JSON/ });
  assert.throws(() => ask(params('spa', idt, { target: 'api-rs', ['a\uDC00']: 'b' })), { code: 'invalid_request', message: /not valid JSON/ });
  class Form { #real; constructor(real) { this.#real = real; this.client_id = 'nobody'; } toJSON() { return this.#real; } }
  assert.equal(decode(ask(new Form(params('spa', idt, { target: 'api-rs', note: 'json' }))).id_token).payload.note, 'json');
  const plain = new Delegator(tenant);
  const out = plain.delegate(params('spa', idt, { target: 'api-rs' }), { now: NOW });
  assert.deepEqual(Object.keys(out), ['token_type', 'expires_in', 'id_token']);
  assert.equal(out.token_type, 'Bearer');
  assert.equal(out.expires_in, decode(out.id_token).payload.exp - NOW);
  // What api.js never writes, written straight into the room: refused, never a panic.
  const raw = createRequire(import.meta.url)('../../pkg/node/edge_delegation.js');
  const inner = new raw.WasmDelegator(JSON.stringify(tenant));
  const room = (text) => {
    const bytes = new TextEncoder().encode(text);
    new Uint8Array(raw.module_memory().buffer).set(bytes, inner.input(bytes.length));
    return bytes.length;
  };
  const good = Object.entries(params('spa', idt, { target: 'api-rs' })).map(([k, v]) => `${k}\0${v}\0`).join('');
  const answer = inner.delegate_input(room(good), NOW, true);
  assert.deepEqual([answer.length, answer[0], decode(answer[1]).payload.aud], [2, 3600, 'api-rs']);
  for (const [text, message] of [
    [`${good}odd`, /did not cross into wasm whole/],
    [`${good}client_id\0spa\0`, /parameter "client_id" is repeated/],
    ['', /grant_type is missing/],
  ]) {
    assert.throws(() => inner.delegate_input(room(text), NOW, true), (e) => e.kind === 'delegation' && e.code === 'invalid_request' && message.test(e.message), text.slice(-20));
  }
  inner.free();
});

test('policy: an exception becomes server_error without its message; the instance keeps working', async () => {
  const secret = 'db password is hunter2';
  let calls = 0;
  const dd = new Delegator(tenant, { policy: () => { calls += 1; if (calls === 1) throw new Error(secret); } });
  try {
    dd.delegate(params('spa', idt, { target: 'api-rs' }), { now: NOW });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof DelegationError);
    assert.equal(e.code, 'server_error');
    assert.equal(e.status, 500);
    assert.ok(!e.message.includes('hunter2') && !JSON.stringify(e).includes('hunter2'));
    assert.equal(e.cause.message, secret, 'the host keeps the exception as the cause');
  }
  assert.equal(dd.delegate(params('spa', idt, { target: 'api-rs' }), { now: NOW }).token_type, 'Bearer');
  // A Promise from a policy needs delegateAsync.
  const slow = new Delegator(tenant, { policy: async (ctx) => (ctx.params.deny ? { deny: 'async no' } : { claims: { checked: true } }) });
  assert.throws(() => slow.delegate(params('spa', idt, { target: 'api-rs' }), { now: NOW }), { code: 'server_error', message: /delegateAsync/ });
  const ok = await slow.delegateAsync(params('spa', idt, { target: 'api-rs' }), { now: NOW });
  assert.equal(decode(ok.id_token).payload.checked, true);
  await assert.rejects(slow.delegateAsync(params('spa', idt, { target: 'api-rs', deny: '1' }), { now: NOW }), { code: 'access_denied', message: 'async no' });
  const rejecting = new Delegator(tenant, { policy: async () => { throw new TypeError(secret); } });
  await assert.rejects(rejecting.delegateAsync(params('spa', idt, { target: 'api-rs' }), { now: NOW }), (e) => e.code === 'server_error' && !e.message.includes('hunter2') && e.cause.message === secret);
  // Bad return values and options.
  const weird = new Delegator(tenant, { policy: () => 'yes' });
  assert.throws(() => weird.delegate(params('spa', idt), { now: NOW }), { code: 'server_error', message: /returned a string/ });
  const cyclic = new Delegator(tenant, { policy: () => { const o = {}; o.claims = o; return o; } });
  assert.throws(() => cyclic.delegate(params('spa', idt), { now: NOW }), { code: 'server_error', message: /cannot be serialized/ });
  assert.throws(() => new Delegator(tenant, { policy: 'deny' }), { name: 'ConfigError', path: 'policy' });
  assert.throws(() => new Delegator(tenant, { polcy: () => {} }), { name: 'ConfigError', message: /unknown Delegator option "polcy"/ });
  // Errors before the policy (a bad id_token) never reach it.
  let reached = false;
  const watch = new Delegator(tenant, { policy: () => { reached = true; } });
  assert.throws(() => watch.delegate(params('spa', 'not.a.token'), { now: NOW }), { code: 'invalid_grant' });
  assert.equal(reached, false);
});

test('policy in createHandler: awaited, after the rate limit; exceptions reported to onError, 500 without the message', async () => {
  const errors = [];
  let seen;
  const handle = createHandler(tenant, {
    rateLimit: { limit: 2 },
    onError: (e) => errors.push(e),
    async policy(ctx) {
      seen = ctx;
      await new Promise((r) => setTimeout(r, 5));
      if (ctx.params.boom) throw new Error('kv binding secret xyz');
      if (ctx.params.no) return { deny: 'not today' };
      return { claims: { via: 'edge' } };
    },
  });
  const now = realNow();
  const token = await liveIdToken(now);
  const post = (extra) => handle(new Request('http://edge.test/delegation', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params('spa', token, { target: 'api-rs', ...extra })) }), { ip: '192.0.2.1' });
  let r = await post({});
  assert.equal(r.status, 200);
  assert.equal(decode((await r.json()).id_token).payload.via, 'edge');
  assert.equal(seen.ip, '192.0.2.1');
  r = await post({ boom: '1' });
  assert.equal(r.status, 500);
  const body = await r.json();
  assert.equal(body.error, 'server_error');
  assert.ok(!JSON.stringify(body).includes('xyz'));
  assert.equal(errors.length, 1);
  assert.equal(errors[0].message, 'kv binding secret xyz');
  // Third request: over the limit, so the policy is not asked.
  seen = undefined;
  r = await post({ no: '1' });
  assert.equal(r.status, 429);
  assert.equal(seen, undefined);
  const h2 = createHandler(tenant, { rateLimit: false, policy: (ctx) => ({ deny: `no ${ctx.apiType}` }) });
  r = await h2(new Request('http://edge.test/delegation', { method: 'POST', body: new URLSearchParams(params('spa', token)) }));
  assert.equal(r.status, 403);
  assert.deepEqual(await r.json(), { error: 'access_denied', error_description: 'no app' });
  assert.throws(() => createHandler(tenant, { policy: 42 }), { name: 'ConfigError', path: 'policy' });
});

// The facade fetches entropy 512 bytes at a time and hands each byte out once (src/wasm.rs):
// 300 tokens draw 16 bytes each across ten fetches, and no two share a jti.
test('entropy: every minted token gets its own 128-bit jti across many pool refills', () => {
  const dd = new Delegator(tenant);
  const jtis = new Set();
  for (let i = 0; i < 300; i++) {
    const { jti } = decode(dd.delegate(params('spa', idt, { target: 'api-rs' }), { now: NOW }).id_token).payload;
    assert.match(jti, /^[A-Za-z0-9_-]{22}$/);
    jtis.add(jti);
  }
  assert.equal(jtis.size, 300);
});

test('revocation: minted JWTs carry a jti; verify({ isRevoked }) refuses a revoked one', async () => {
  const revoked = new Set();
  const v = new Verifier({ jwks: d.publicJwks(), audience: 'addons', currentDate: new Date(NOW * 1000), isRevoked: (p) => revoked.has(p.jti) });
  const res = ask('app', 'addons');
  const { payload } = v.verify(res.id_token);
  revoked.add(payload.jti);
  assert.throws(() => v.verify(res.id_token), { name: 'VerifyError', code: 'ERR_JWT_REVOKED' });
  assert.notEqual(decode(ask('app', 'addons').id_token).payload.jti, payload.jti, 'every token gets its own jti');
  const jwk = await importJWK(keys.rsa.jwk, 'RS256');
  assert.ok(jwk);
});
