// A real client of the old protocol: the legacy Auth0 Node SDK (npm auth0 2.x,
// AuthenticationClient#getDelegationToken), which only speaks https, against our handler on
// node:https with a self-signed certificate made for this test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:https';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { createHandler, toNodeListener, Delegator, sign } from 'edge-delegation';
import { tenant, keys } from './helpers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir;
let server;
let domain;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-delegation-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, toNodeListener(createHandler(tenant)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  domain = `127.0.0.1:${server.address().port}`;
});

after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

// The SDK runs in its own process so that it trusts our certificate (NODE_EXTRA_CA_CERTS);
// asynchronously, since this process serves its requests.
async function sdk(clientId, data) {
  const script = `
const { AuthenticationClient } = require('auth0');
const auth0 = new AuthenticationClient({ domain: ${JSON.stringify(domain)}, clientId: ${JSON.stringify(clientId)} });
auth0.getDelegationToken(${JSON.stringify(data)})
  .then((r) => console.log(JSON.stringify({ ok: r })))
  .catch((e) => console.log(JSON.stringify({ status: e.response?.status ?? e.statusCode, body: e.response?.data, message: e.message })));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 30000, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') } });
  return JSON.parse(stdout);
}

const now = Math.floor(Date.now() / 1000);
const idToken = sign({ iss: tenant.issuer, sub: 'auth0|sdk', aud: 'spa', iat: now, exp: now + 300, email: 'sdk@example.com' }, keys.rsa.jwk, { alg: 'RS256', kid: 'rsa-1' });
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

test('auth0@2 getDelegationToken receives a token that verifies', async () => {
  const out = await sdk('spa', { id_token: idToken, api_type: 'app', target: 'api-rs', grant_type: GRANT, scope: 'openid email' });
  assert.ok(out.ok, JSON.stringify(out));
  assert.equal(out.ok.token_type, 'Bearer');
  assert.equal(out.ok.expires_in, 3600);
  const jwks = jose.createLocalJWKSet(new Delegator(tenant).publicJwks());
  const { payload } = await jose.jwtVerify(out.ok.id_token, jwks, { issuer: tenant.issuer, audience: 'api-rs' });
  assert.equal(payload.sub, 'auth0|sdk');
  assert.equal(payload.azp, 'spa');
  assert.equal(payload.email, 'sdk@example.com');
});

test('auth0@2 sees refusals as Auth0 sent them', async () => {
  const out = await sdk('web-hs', { id_token: idToken, api_type: 'app', target: 'api-rs', grant_type: GRANT });
  assert.equal(out.status, 401);
  assert.equal(out.body.error, 'invalid_grant');
});
