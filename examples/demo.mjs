#!/usr/bin/env node
// The README's main command (`npm run demo`): builds pkg/ if needed, loads the TEST-ONLY demo
// tenant, signs in a demo user (an id_token as Auth0 would issue it to the SPA), delegates to
// two targets, and prints each token decoded and verified. Ends with one refused request.
import { readFileSync } from 'node:fs';
import { build } from '../src/js/build.mjs';

build();
const { Delegator, sign, decode, verify, DelegationError } = await import('edge-delegation');

const tenant = JSON.parse(readFileSync(new URL('./demo-tenant.json', import.meta.url), 'utf8'));
const delegator = new Delegator(tenant);
const jwks = delegator.publicJwks();
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const show = (title, value) => console.log(`\n${bold(title)}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}`);

// 1. "Sign in": the tenant issues the user's id_token to the SPA (RS256, the tenant's key).
const now = Math.floor(Date.now() / 1000);
const user = {
  iss: tenant.issuer, sub: 'auth0|5f7c8ec7c33c6c004bbafe82', aud: 'spa', iat: now, exp: now + 3600,
  name: 'Ada Lovelace', nickname: 'ada', email: 'ada@example.com', email_verified: true,
};
const signingKey = tenant.signing_keys[0];
const idToken = sign(user, signingKey, { alg: 'RS256', kid: signingKey.kid, typ: 'JWT' });
show('Signed in: the id_token issued to client "spa"', decode(idToken));

// 2. Delegate to an RS256 API and to an HS256 web app, as POST /delegation would.
const request = (target, scope) => ({
  grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  client_id: 'spa',
  id_token: idToken,
  target,
  scope,
  api_type: 'app',
});

const rs = delegator.delegate(request('api-rs', 'openid profile email'));
show('POST /delegation target=api-rs scope="openid profile email" → response', rs);
const rsVerified = verify(rs.id_token, { jwks, issuer: tenant.issuer, audience: 'api-rs' });
show('Verified with the tenant JWKS (what the Orders API does)', rsVerified);

const hs = delegator.delegate(request('web-hs', 'openid name email'));
show('POST /delegation target=web-hs scope="openid name email" → response', hs);
const target = tenant.clients.find((c) => c.client_id === 'web-hs');
const hsVerified = verify(hs.id_token, { secret: target.client_secret, issuer: tenant.issuer, audience: 'web-hs' });
show("Verified with web-hs's client_secret (HS256)", hsVerified);

// 3. A refused request: this client may not delegate to the Orders API.
try {
  const webToken = sign({ ...user, aud: 'web-hs' }, target.client_secret, { alg: 'HS256', typ: 'JWT' });
  delegator.delegate({ ...request('api-rs', 'openid'), client_id: 'web-hs', id_token: webToken });
} catch (e) {
  if (!(e instanceof DelegationError)) throw e;
  show(`Refused: HTTP ${e.status}`, e.toJSON());
}
console.log('\nDemo complete: 2 delegation tokens minted and verified, 1 request refused as configured.');
