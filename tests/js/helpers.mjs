// Shared by the Node tests: the TEST-ONLY fixtures and id_tokens minted by jose, the
// independent peer (so our verifier is never only checked against our own signer).
import { readFileSync } from 'node:fs';
import { SignJWT, importJWK } from 'jose';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
export const tenant = fixture('tenant.json');
/** The add-on targets of tests/fixtures/addons.json, and the tenant with them added. */
export const addons = fixture('addons.json');
export const tenantWithAddons = { ...tenant, clients: [...tenant.clients, ...addons.clients] };
/** `addons.<api>` of client `id` in tests/fixtures/addons.json. */
export const addonSettings = (id, api) => addons.clients.find((c) => c.client_id === id).addons[api];
/** tenantWithAddons with `addons.<api>` of client `id` replaced by `s`. */
export function withSettings(id, api, s) {
  const t = structuredClone(tenantWithAddons);
  t.clients.find((c) => c.client_id === id).addons[api] = s;
  return t;
}
export const keys = fixture('keys.json');
export const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const NOW = 1_800_000_000;
export const client = (id) => tenant.clients.find((c) => c.client_id === id);
export const secretOf = (id) => new TextEncoder().encode(client(id).client_secret);

export function userClaims(aud, extra = {}) {
  return {
    iss: tenant.issuer, sub: 'auth0|user-1', aud, iat: NOW - 60, exp: NOW + 3600,
    name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true, nickname: 'ada', ...extra,
  };
}

/** An id_token as Auth0 would issue it, minted by jose. */
export async function joseIdToken(aud, { alg = 'RS256', key = keys.rsa.jwk, kid = key.kid, claims = {} } = {}) {
  const k = key instanceof Uint8Array ? key : await importJWK(key, alg);
  const header = { alg, typ: 'JWT', ...(kid ? { kid } : {}) };
  return new SignJWT(userClaims(aud, claims)).setProtectedHeader(header).sign(k);
}

export function params(clientId, idToken, extra = {}) {
  return { grant_type: GRANT, client_id: clientId, id_token: idToken, ...extra };
}

export function b64(v) {
  return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
}
