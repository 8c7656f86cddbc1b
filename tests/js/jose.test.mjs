// Cross-checks with jose: what we mint, jose accepts with the right key; what jose mints, we
// accept; the attack classes of SPEC §5 are refused by us with our code (and by jose too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import * as jose from 'jose';
import { Delegator, verify, sign, VerifyError } from 'edge-delegation';
import { tenant, keys, NOW, params, joseIdToken, secretOf, b64, userClaims } from './helpers.mjs';

const d = new Delegator(tenant);
const at = new Date(NOW * 1000);

test('delegation tokens verify under jose with the tenant JWKS or the target secret', async () => {
  const idt = await joseIdToken('spa');
  const jwks = jose.createLocalJWKSet(d.publicJwks());
  for (const [target, alg] of [['api-rs', 'RS256'], ['api-es', 'ES256'], ['api-ed', 'EdDSA'], ['spa', 'RS256']]) {
    const res = d.delegate(params('spa', idt, { target, scope: 'openid profile email' }), { now: NOW });
    const { payload, protectedHeader } = await jose.jwtVerify(res.id_token, jwks, {
      issuer: tenant.issuer, audience: target, currentDate: at, algorithms: [alg],
    });
    assert.equal(protectedHeader.alg, alg);
    assert.equal(payload.sub, 'auth0|user-1');
    assert.equal(payload.azp, 'spa');
    assert.equal(payload.name, 'Ada Lovelace');
    assert.equal(payload.exp - payload.iat, res.expires_in);
    assert.match(payload.jti, /^[A-Za-z0-9_-]{22}$/);
  }
  const res = d.delegate(params('spa', idt, { target: 'web-hs' }), { now: NOW });
  const { payload } = await jose.jwtVerify(res.id_token, secretOf('web-hs'), { audience: 'web-hs', currentDate: at });
  assert.equal(payload.aud, 'web-hs');
  await assert.rejects(jose.jwtVerify(res.id_token, secretOf('spa-hs'), { currentDate: at }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
});

test('sign() output verifies under jose for every algorithm', async () => {
  const cases = [
    ['HS256', new Uint8Array(32).fill(7), new Uint8Array(32).fill(7)],
    ['HS512', new Uint8Array(64).fill(9), new Uint8Array(64).fill(9)],
    ['RS256', keys.rsa.private_pkcs8, createPublicKey(keys.rsa.public_spki)],
    ['PS256', keys.rsa.jwk, createPublicKey(keys.rsa.public_spki)],
    ['ES256', keys.ec.private_pkcs8, createPublicKey(keys.ec.public_spki)],
    ['EdDSA', keys.ed.jwk, createPublicKey(keys.ed.public_spki)],
  ];
  for (const [alg, priv, pub] of cases) {
    const token = sign({ sub: 'u', n: 1 }, priv, { alg, kid: 'k', typ: 'JWT' });
    const { payload, protectedHeader } = await jose.jwtVerify(token, pub, { algorithms: [alg] });
    assert.deepEqual(protectedHeader, { alg, typ: 'JWT', kid: 'k' });
    assert.deepEqual(payload, { sub: 'u', n: 1 });
  }
});

test('jose-minted tokens verify under our verify (PEM, JWK, JWKS, KeyObject, secret)', async () => {
  const mint = async (alg, key) => new jose.SignJWT({ sub: 'u' }).setProtectedHeader({ alg, kid: 'k1' }).setExpirationTime(NOW + 60).sign(key);
  const secret = new TextEncoder().encode('a-very-long-shared-secret-of-32+bytes!');
  const strip = ({ kty, n, e, crv, x, y }) => Object.fromEntries(Object.entries({ kty, n, e, crv, x, y }).filter(([, v]) => v));
  const cases = [
    ['HS256', secret, { secret }],
    ['HS256', secret, { secret: 'a-very-long-shared-secret-of-32+bytes!' }],
    ['RS256', await jose.importJWK(keys.rsa.jwk, 'RS256'), { key: keys.rsa.public_spki }],
    ['RS256', await jose.importJWK(keys.rsa.jwk, 'RS256'), { key: keys.rsa.public_pkcs1 }],
    ['RS256', await jose.importJWK(keys.rsa.jwk, 'RS256'), { jwks: { keys: [{ ...strip(keys.rsa2.jwk), kid: 'k2' }, { ...strip(keys.rsa.jwk), kid: 'k1' }] } }],
    ['PS384', await jose.importJWK(keys.rsa.jwk, 'PS384'), { key: createPublicKey(keys.rsa.public_spki) }],
    ['ES256', await jose.importJWK(keys.ec.jwk, 'ES256'), { key: strip(keys.ec.jwk) }],
    ['EdDSA', await jose.importJWK(keys.ed.jwk, 'EdDSA'), { key: keys.ed.public_spki }],
  ];
  for (const [alg, priv, opts] of cases) {
    const token = await mint(alg, priv);
    const out = verify(token, { ...opts, currentDate: at });
    assert.equal(out.header.alg, alg);
    assert.equal(out.payload.sub, 'u');
  }
});

test('an id_token minted by jose delegates; a jose token for another tenant does not', async () => {
  const ok = d.delegate(params('spa', await joseIdToken('spa')), { now: NOW });
  assert.equal(ok.token_type, 'Bearer');
  const foreign = await joseIdToken('spa', { key: keys.foreign_rsa.jwk });
  assert.throws(() => d.delegate(params('spa', foreign), { now: NOW }), { name: 'DelegationError', code: 'invalid_grant', status: 401 });
  const hs = await joseIdToken('web-hs', { alg: 'HS256', key: secretOf('web-hs'), kid: null });
  assert.equal(d.delegate(params('web-hs', hs, { target: 'api-es' }), { now: NOW }).expires_in, 900);
});

// Each attack token, with our expected code. jose must refuse it too (fail closed on both).
test('SPEC §5 attack classes fail closed with their codes (and jose agrees they are bad)', async () => {
  const secret = new TextEncoder().encode('shared-secret-long-enough-for-hs256!!');
  const hmac = (header, payload, key = secret) => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };
  const claims = { sub: 'u', exp: NOW + 60 };
  const pem = keys.rsa.public_spki;
  const rsaPublic = { key: pem };
  const esSig = (bytes) => `${b64({ alg: 'ES256' })}.${b64(claims)}.${Buffer.from(bytes).toString('base64url')}`;
  const good = hmac({ alg: 'HS256' }, claims);
  const [h, p, s] = good.split('.');
  const cases = [
    ['alg none', `${b64({ alg: 'none' })}.${b64(claims)}.`, { secret }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['HS256 with the RSA public PEM', hmac({ alg: 'HS256' }, claims, pem), rsaPublic, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['HS256 with the PEM minus its newline', hmac({ alg: 'HS256' }, claims, pem.trimEnd()), rsaPublic, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['HS256 with the RSA JWK', hmac({ alg: 'HS256' }, claims, JSON.stringify({ kty: 'RSA', n: keys.rsa.jwk.n, e: keys.rsa.jwk.e })), { key: { kty: 'RSA', n: keys.rsa.jwk.n, e: keys.rsa.jwk.e } }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['unknown crit', hmac({ alg: 'HS256', crit: ['urn:x'], 'urn:x': 1 }, claims), { secret }, 'ERR_JOSE_NOT_SUPPORTED'],
    ['b64 false', hmac({ alg: 'HS256', b64: false, crit: ['b64'] }, claims), { secret }, 'ERR_JWT_INVALID'],
    ['duplicate header member', `${Buffer.from('{"alg":"HS256","alg":"none"}').toString('base64url')}.${p}.${s}`, { secret }, 'ERR_JWS_INVALID'],
    ['exp as a string', hmac({ alg: 'HS256' }, { sub: 'u', exp: String(NOW + 60) }), { secret }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['nbf as a string', hmac({ alg: 'HS256' }, { sub: 'u', nbf: String(NOW - 60) }), { secret }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['expired', hmac({ alg: 'HS256' }, { exp: NOW - 1 }), { secret }, 'ERR_JWT_EXPIRED'],
    ['padded segment', `${h}.${p}=.${s}`, { secret }, 'ERR_JWS_INVALID'],
    ['non-base64url segment', `${h}.${p.replace(/[-_]/g, '+')}+.${s}`, { secret }, 'ERR_JWS_INVALID'],
    ['two segments', `${h}.${p}`, { secret }, 'ERR_JWS_INVALID'],
    ['four segments', `${good}.x`, { secret }, 'ERR_JWS_INVALID'],
    // jose has no size bound, so it is not asked about this one.
    ['20 KiB', hmac({ alg: 'HS256' }, { ...claims, pad: 'x'.repeat(20 * 1024) }), { secret }, 'ERR_JWS_INVALID', false],
    ['ES256 zero signature (CVE-2022-21449)', esSig(new Uint8Array(64)), { key: keys.ec.public_spki }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ['wrong key', hmac({ alg: 'HS256' }, claims, new TextEncoder().encode('another-secret-that-is-long-enough!!')), { secret }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
  ];
  for (const [name, token, opts, code, joseToo = true] of cases) {
    assert.throws(() => verify(token, { ...opts, currentDate: at }), (e) => {
      assert.ok(e instanceof VerifyError, name);
      assert.equal(e.code, code, `${name}: ${e.message}`);
      return true;
    });
    if (!joseToo) continue;
    const joseKey = opts.secret ?? (typeof opts.key === 'string' ? createPublicKey(opts.key) : await jose.importJWK(opts.key, 'RS256'));
    await assert.rejects(jose.jwtVerify(token, joseKey, { currentDate: at }), name);
  }
  // The duplicate-claims case jose would accept (last member wins): we refuse it.
  const dup = `${b64({ alg: 'HS256' })}.${Buffer.from('{"sub":"user","sub":"admin"}').toString('base64url')}`;
  const token = `${dup}.${createHmac('sha256', secret).update(dup).digest('base64url')}`;
  assert.throws(() => verify(token, { secret }), { code: 'ERR_JWT_INVALID' });
});

test('an expired, misaddressed or foreign-issuer id_token gives invalid_grant naming the cause', async () => {
  const cases = [
    [await joseIdToken('spa', { claims: { exp: NOW - 10 } }), /expired/],
    [await joseIdToken('web-hs'), /not issued to client "spa"/],
    [await joseIdToken('spa', { claims: { iss: 'https://other.example/' } }), /another issuer/],
  ];
  for (const [idt, why] of cases) {
    assert.throws(() => d.delegate(params('spa', idt), { now: NOW }), (e) => {
      assert.equal(e.code, 'invalid_grant');
      assert.match(e.description, why);
      return true;
    });
  }
  assert.ok(userClaims('x').sub);
});
