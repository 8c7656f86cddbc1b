// The JavaScript API of SPEC §6 in Node: classes, errors, argument conversion, and that bad
// input from JS (null, numbers, arrays, wrong types) gets a typed error and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, createSecretKey, webcrypto } from 'node:crypto';
import * as api from 'edge-delegation';
import { tenant, keys, NOW, params, joseIdToken, client } from './helpers.mjs';

const { Delegator, delegate, Verifier, verify, sign, Signer, decode, DelegationError, VerifyError, ConfigError } = api;
const d = new Delegator(tenant);
const idt = await joseIdToken('spa');
const good = () => d.delegate(params('spa', idt, { target: 'api-rs' }), { now: NOW });

// The module's own SHA-256 (src/hs256.rs, SIMD schedule in wasm) against OpenSSL's HMAC: every
// signing-input length over three blocks (each padding case: the length in the last block or in
// one more), keys up to a block and past it (hashed first), and a flipped bit refused.
test('HS256 signatures equal node:crypto HMAC-SHA256 for every input length and key size', () => {
  for (const klen of [32, 63, 64, 65, 200]) {
    const key = new Uint8Array(klen).map((_, i) => (i * 37 + klen) & 0xff);
    const signer = new Signer(key, { alg: 'HS256' });
    const verifier = new Verifier({ secret: key });
    for (let n = 0; n < 200; n++) {
      const token = signer.sign({ p: 'x'.repeat(n) });
      const [h, p, s] = token.split('.');
      assert.equal(s, createHmac('sha256', key).update(`${h}.${p}`).digest('base64url'), `key ${klen}, input ${h.length + 1 + p.length}`);
      assert.equal(verifier.verify(token).payload.p.length, n);
      const flipped = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
      assert.throws(() => verifier.verify(flipped), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    }
  }
});

test('errors are real Error subclasses with stable codes', () => {
  assert.throws(() => d.delegate(params('no-grant', idt), { now: NOW }), DelegationError);
  try {
    d.delegate(params('spa', idt, { target: 'ghost' }), { now: NOW });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof DelegationError && err instanceof Error);
    assert.equal(err.name, 'DelegationError');
    assert.equal(err.code, 'invalid_target');
    assert.equal(err.status, 400);
    assert.equal(err.message, err.description);
    assert.deepEqual(err.toJSON(), { error: 'invalid_target', error_description: err.description });
    assert.deepEqual(JSON.parse(JSON.stringify(err)), err.toJSON());
    assert.ok(err.stack.includes('DelegationError'));
  }
  try {
    verify('a.b.c', { secret: 'x'.repeat(32) });
  } catch (err) {
    assert.ok(err instanceof VerifyError && err instanceof Error);
    assert.equal(err.code, 'ERR_JWS_INVALID');
  }
  try {
    new Delegator({ ...tenant, clients: [{ ...client('web-hs'), jwt_configuration: { alg: 'HS257' } }] });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'ERR_CONFIG_INVALID');
    assert.equal(err.path, 'clients[0].jwt_configuration.alg');
    assert.equal(err.message, 'clients[0].jwt_configuration.alg: unknown algorithm "HS257"');
  }
});

test('unknown Delegator options are refused, never ignored', () => {
  assert.throws(() => new Delegator(tenant, { policy: 'no' }), { name: 'ConfigError', path: 'policy', message: /must be a function/ });
  assert.throws(() => new Delegator(tenant, { clockSkew: 5 }), { name: 'ConfigError', message: /unknown Delegator option "clockSkew"/ });
  assert.throws(() => new Delegator(tenant, null), ConfigError);
  assert.equal(new Delegator(tenant, {}).publicJwks().keys.length, 4);
});

test('delegate accepts URLSearchParams, Dates and the one-shot form', () => {
  const form = new URLSearchParams(params('spa', idt, { target: 'api-es', scope: 'openid email' }));
  const res = d.delegate(form, { now: new Date(NOW * 1000) });
  assert.equal(res.expires_in, 900);
  assert.equal(decode(res.id_token).payload.email, 'ada@example.com');
  assert.equal(delegate(params('spa', idt), tenant, { now: NOW }).expires_in, 36000);
  assert.equal(delegate(params('spa', idt), JSON.stringify(tenant), { now: NOW }).expires_in, 36000);
  form.append('target', 'api-ed');
  assert.throws(() => d.delegate(form, { now: NOW }), { code: 'invalid_request', message: /target is repeated/ });
  // Without `now`, the real clock: a token valid now passes, one valid only at NOW does not.
  const real = Math.floor(Date.now() / 1000);
  const fresh = sign({ ...decode(idt).payload, iat: real, exp: real + 60 }, keys.rsa.jwk, { alg: 'RS256', kid: 'rsa-1' });
  assert.equal(d.delegate(params('spa', fresh)).token_type, 'Bearer');
  const stale = sign({ ...decode(idt).payload, iat: real - 120, exp: real - 60 }, keys.rsa.jwk, { alg: 'RS256', kid: 'rsa-1' });
  assert.throws(() => d.delegate(params('spa', stale)), { code: 'invalid_grant', message: /expired/ });
});

test('publicJwks holds public members only and verifies what the tenant signs', () => {
  const jwks = d.publicJwks();
  assert.deepEqual(jwks.keys.map((k) => k.kid), ['rsa-1', 'ec-1', 'ed-1', 'rsa-2']);
  for (const k of jwks.keys) for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[m], undefined);
  const out = verify(good().id_token, { jwks, issuer: tenant.issuer, audience: 'api-rs', currentDate: new Date(NOW * 1000) });
  assert.equal(out.payload.aud, 'api-rs');
  assert.equal(Object.getPrototypeOf(out.payload), Object.prototype, 'plain objects, not Maps');
});

test('Verifier: keys parsed once, currentDate, isRevoked', () => {
  const token = good().id_token;
  const revoked = new Set();
  const v = new Verifier({ jwks: d.publicJwks(), audience: 'api-rs', currentDate: new Date(NOW * 1000), isRevoked: (p) => revoked.has(p.jti) });
  const { payload } = v.verify(token);
  revoked.add(payload.jti);
  assert.throws(() => v.verify(token), { name: 'VerifyError', code: 'ERR_JWT_REVOKED' });
  assert.equal(v.verify(good().id_token).payload.sub, 'auth0|user-1', 'other tokens still pass');
  const boom = new Verifier({ jwks: d.publicJwks(), currentDate: new Date(NOW * 1000), isRevoked: () => { throw new RangeError('deny-list offline'); } });
  assert.throws(() => boom.verify(token), { name: 'RangeError', message: 'deny-list offline' });
  assert.equal(v.verify(good().id_token).payload.sub, 'auth0|user-1', 'the instance survives a throwing hook');
  assert.throws(() => v.verify(token, { currentDate: new Date((NOW + 7200) * 1000) }), { code: 'ERR_JWT_EXPIRED', claim: 'exp', reason: 'check_failed' });
  assert.throws(() => verify(token, { jwks: d.publicJwks(), audience: 'other', currentDate: new Date(NOW * 1000) }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud', reason: 'check_failed' });
});

test('tokens and payloads cross into wasm in place: non-ASCII text, the size limit and memory growth give what the core gives', () => {
  const secret = 'a-test-secret-of-at-least-thirty-two-bytes';
  const currentDate = new Date(NOW * 1000);
  const token = sign({ sub: 'é ✓ 𝄞', iat: NOW, exp: NOW + 60 }, secret, { alg: 'HS256' });
  const v = new Verifier({ secret, currentDate });
  assert.equal(v.verify(token).payload.sub, 'é ✓ 𝄞');
  // Non-ASCII and a lone surrogate (written as U+FFFD) are not base64url.
  for (const bad of [`é${token}`, `\uD800${token}`]) {
    assert.throws(() => v.verify(bad), { code: 'ERR_JWS_INVALID', message: 'the header segment is not base64url without padding' });
  }
  // The core counts UTF-8 bytes: 16,384 'é' are 32,768 bytes; a longer string takes the string path.
  assert.throws(() => v.verify('é'.repeat(16 * 1024)), { code: 'ERR_JWS_INVALID', message: /the token is 32768 bytes; tokens over 16384 bytes are refused/ });
  assert.throws(() => v.verify('a'.repeat(16 * 1024 + 1)), { code: 'ERR_JWS_INVALID', message: /the token is 16385 bytes/ });
  // Other verifiers' input room grows the memory (detaching its buffer); this one still reads its token.
  const others = Array.from({ length: 64 }, () => new Verifier({ secret, currentDate }));
  for (const o of others) assert.throws(() => o.verify('é'.repeat(16 * 1024)), { code: 'ERR_JWS_INVALID' });
  assert.equal(v.verify(token).payload.sub, 'é ✓ 𝄞');
  assert.equal(others[63].verify(token).payload.sub, 'é ✓ 𝄞');
  // Memory grown by a string-path copy (4 MB, refused as too long) while this verifier's view of
  // its room is the last one made: the next call writes through a fresh view.
  assert.throws(() => others[0].verify('a'.repeat(4 << 20)), { code: 'ERR_JWS_INVALID', message: /the token is 4194304 bytes/ });
  assert.equal(others[63].verify(token).payload.sub, 'é ✓ 𝄞');
  // A Signer writes the payload's JSON text in place up to 16K UTF-16 units (4-byte characters
  // included) and passes longer ones as a string: the same bytes as the one-shot sign() either way.
  const signer = new Signer(secret, { alg: 'HS256' });
  for (const sub of ['é ✓ 𝄞', '𝄞'.repeat(4000), 'é'.repeat(20000)]) {
    assert.equal(signer.sign({ sub }), sign({ sub }, secret, { alg: 'HS256' }));
  }
  // A lone surrogate: JSON.stringify writes it as an escape, which the strict parser refuses.
  const lone = (f) => assert.throws(f, { code: 'ERR_INVALID_ARGUMENT', message: /^the payload is not valid JSON/ });
  lone(() => signer.sign({ sub: '\uD800' }));
  lone(() => sign({ sub: '\uD800' }, secret, { alg: 'HS256' }));
  // An isRevoked hook may verify with the same verifier while its own token is being checked.
  const inner = sign({ sub: 'inner', exp: NOW + 60 }, secret, { alg: 'HS256' });
  const seen = [];
  const reentrant = new Verifier({
    secret,
    currentDate,
    isRevoked: (p) => {
      seen.push(p.sub);
      return p.sub === 'outer' && reentrant.verify(inner).payload.sub !== 'inner';
    },
  });
  assert.equal(reentrant.verify(sign({ sub: 'outer', exp: NOW + 60 }, secret, { alg: 'HS256' })).payload.sub, 'outer');
  assert.deepEqual(seen, ['outer', 'inner']);
  const signers = Array.from({ length: 64 }, () => new Signer(secret, { alg: 'HS256' }));
  for (const s of signers) s.sign({ sub: 'é'.repeat(16000) });
  assert.equal(v.verify(signer.sign({ sub: 'é ✓ 𝄞', exp: NOW + 60 })).payload.sub, 'é ✓ 𝄞');
});

test('Node KeyObjects are accepted; CryptoKeys get a clear error', async () => {
  const t = sign({ sub: 'u' }, keys.rsa.private_pkcs8, { alg: 'RS256' });
  assert.equal(verify(t, { key: createPublicKey(keys.rsa.public_spki) }).payload.sub, 'u');
  const s = createSecretKey(Buffer.alloc(32, 1));
  assert.equal(verify(sign({ a: 1 }, s, { alg: 'HS256' }), { secret: s }).payload.a, 1);
  const ck = await webcrypto.subtle.importKey('spki', createPublicKey(keys.ec.public_spki).export({ type: 'spki', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  assert.throws(() => verify(t, { key: ck }), { code: 'ERR_KEY_INVALID', message: /exportKey/ });
});

test('every entry point refuses non-object and wrong-typed arguments with a typed error, and keeps working', () => {
  const junk = [null, undefined, 42, 'text', [], [1, 2], true, () => 1, Symbol('s'), 10n];
  for (const j of junk) {
    assert.throws(() => new Delegator(j), ConfigError);
    assert.throws(() => d.delegate(j, { now: NOW }), (e) => e instanceof DelegationError && e.code === 'invalid_request');
    // A token that is not a string is refused before it reaches wasm, with jose's code.
    const tokenError = (e) => e instanceof VerifyError && (typeof j === 'string' || (e.code === 'ERR_INVALID_ARGUMENT' && /token must be a string/.test(e.message)));
    assert.throws(() => verify(j, { secret: 'x'.repeat(32) }), tokenError);
    assert.throws(() => new Verifier({ secret: 'x'.repeat(32) }).verify(j), tokenError);
    assert.throws(() => decode(j), tokenError);
    assert.throws(() => sign(j, 'x'.repeat(32), { alg: 'HS256' }), (e) => e instanceof VerifyError);
    assert.throws(() => sign({}, 'x'.repeat(32), j), (e) => e instanceof VerifyError);
    assert.throws(() => new Verifier(j), VerifyError);
    assert.equal(good().token_type, 'Bearer');
  }
  assert.throws(() => d.delegate(params('spa', idt), { now: 'yesterday' }), { code: 'invalid_request' });
  assert.throws(() => d.delegate(params('spa', idt), { now: NaN }), { code: 'invalid_request' });
  assert.throws(() => d.delegate({ ...params('spa', idt), scope: 5 }, { now: NOW }), { code: 'invalid_request', message: /scope must be a string/ });
  assert.throws(() => verify(idt, { secret: 'x'.repeat(32), currentDate: 'now' }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => verify(idt, { secret: 12 }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => verify(idt, { key: new Uint8Array(32) }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => verify(idt, { secret: 'x'.repeat(32), isRevoked: true }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => verify(idt, { secret: 'x'.repeat(32), audiences: 'x' }), { code: 'ERR_INVALID_ARGUMENT', message: /unknown option "audiences"/ });
  // d = 0 once panicked inside prime recovery (then the rsa crate's): in wasm, a trap that kills the instance.
  const { kty, n, e } = keys.rsa.jwk;
  assert.throws(() => sign({}, { kty, n, e, d: 'AA' }, { alg: 'RS256' }), { name: 'VerifyError', code: 'ERR_KEY_INVALID', message: /out of range/ });
  assert.throws(() => new Delegator({ ...tenant, signing_keys: [{ kid: 'z', kty, n, e, d: 'AA' }] }), { name: 'ConfigError', path: 'signing_keys[0]' });
  assert.equal(good().token_type, 'Bearer');
  // Cyclic objects and huge nesting.
  const cyc = {};
  cyc.self = cyc;
  assert.throws(() => d.delegate(cyc, { now: NOW }), DelegationError);
  let deep = {};
  for (let i = 0; i < 10000; i++) deep = { a: deep };
  assert.throws(() => new Delegator({ ...tenant, clients: [deep] }), ConfigError);
  assert.throws(() => d.delegate(params('spa', idt, { x: deep }), { now: NOW }), DelegationError);
  assert.equal(good().token_type, 'Bearer');
});

test('messages never carry secrets or private key material', () => {
  const c = client('web-hs');
  const probes = [
    () => new Delegator({ ...tenant, clients: [{ ...c, client_secret: 'short-but-secret' }] }),
    () => new Delegator({ ...tenant, signing_keys: [{ ...keys.rsa.jwk, dp: keys.rsa.jwk.dq }] }),
    () => verify(idt, { secret: c.client_secret }),
    () => sign({}, { ...keys.rsa.jwk, d: keys.rsa2.jwk.d }, { alg: 'RS256' }),
  ];
  for (const probe of probes) {
    try {
      probe();
      assert.fail('should throw');
    } catch (e) {
      for (const secret of ['short-but-secret', keys.rsa.jwk.dq, keys.rsa2.jwk.d, c.client_secret]) {
        assert.ok(!e.message.includes(secret), e.message);
      }
    }
  }
});

test('a "__proto__" member in a token stays an own property: results never change a prototype', () => {
  const secret = 'a-secret-of-at-least-thirty-two-bytes!';
  const payload = JSON.parse('{"sub":"x","__proto__":{"admin":true},"exp":4000000000}');
  const token = api.sign(payload, secret, { alg: 'HS256' });
  let seen;
  new api.Verifier({ secret, isRevoked: (p) => ((seen = p), false) }).verify(token);
  for (const out of [api.verify(token, { secret }), api.decode(token), { payload: seen }]) {
    assert.equal(Object.getPrototypeOf(out.payload), Object.prototype);
    assert.equal(out.payload.admin, undefined);
    assert.ok(Object.hasOwn(out.payload, '__proto__'));
  }
});

test('Signer parses the key once and mints what sign() mints; bad keys fail at construction', async () => {
  const jose = await import('jose');
  const payload = { sub: 'auth0|s', n: [1, { a: null }] };
  for (const [alg, key, pub] of [
    ['RS256', keys.rsa.jwk, keys.rsa.public_spki],
    ['PS384', keys.rsa.private_pkcs8, keys.rsa.public_spki],
    ['ES256', keys.ec.jwk, keys.ec.public_spki],
    ['EdDSA', keys.ed.jwk, keys.ed.public_spki],
    ['HS256', 'x'.repeat(32), undefined],
  ]) {
    const s = new Signer(key, { alg, kid: 'k1' });
    const a = s.sign(payload);
    const b = s.sign({ ...payload, i: 2 });
    assert.deepEqual(decode(a).header, { alg, kid: 'k1' });
    assert.equal(decode(b).payload.i, 2);
    // Every algorithm here signs deterministically (ES256's nonce by RFC 6979, PS*'s salt derived).
    assert.equal(a, sign(payload, key, { alg, kid: 'k1' }), alg);
    const verifyKey = pub ? await jose.importSPKI(pub, alg) : new TextEncoder().encode(key);
    assert.deepEqual((await jose.jwtVerify(a, verifyKey)).payload, payload, alg);
  }
  assert.throws(() => new Signer(keys.rsa.public_spki, { alg: 'RS256' }), { name: 'VerifyError', code: 'ERR_KEY_INVALID' });
  assert.throws(() => new Signer(keys.ec.jwk, { alg: 'RS256' }), { name: 'VerifyError', code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  assert.throws(() => new Signer(keys.rsa.jwk, { alg: 'none' }), { name: 'VerifyError', code: 'ERR_JOSE_NOT_SUPPORTED' });
  assert.throws(() => new Signer(keys.rsa.jwk, { alg: 'RS256', ttl: 5 }), { code: 'ERR_INVALID_ARGUMENT', message: /unknown sign option "ttl"/ });
  const s = new Signer(keys.rsa.jwk, { alg: 'RS256' });
  assert.throws(() => s.sign([1]), { code: 'ERR_INVALID_ARGUMENT', message: /payload must be an object/ });
  assert.equal(decode(s.sign({ ok: true })).payload.ok, true);
});
