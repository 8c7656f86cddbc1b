// The SAML add-ons judged by real SAML software: xml-crypto checks every XML-DSig signature,
// @node-saml/node-saml and samlify (with its xmllint schema validator) accept the documents as
// a service provider would (signature, audience, times), signxml (Python) verifies them and
// lxml's exclusive c14n leaves their bytes unchanged; each refuses the same documents with one
// byte changed. moto serves AWS STS and answers our AssumeRoleWithSAML through createHandler;
// a token endpoint started here checks the SAP request byte for byte and verifies its assertion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { SAML } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import * as xmllint from '@authenio/samlify-node-xmllint';
import { Delegator, createHandler, ConfigError, DelegationError } from 'edge-delegation';
import { addonSettings, withSettings, tenantWithAddons, params, joseIdToken } from './helpers.mjs';
import { freePort } from './workerd-helper.mjs';
import { CERT, xmlCryptoVerifies } from './saml-helpers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = join(root, '.venv', 'bin', 'python');
const SAP = 'https://sap.test.example/oauth2/api/v1/token';
const AWS = 'https://signin.aws.amazon.com/saml';
const ISSUER = 'urn:tenant.test.example';
const settings = (api) => addonSettings('addons', api);
/** The tenant with the add-on client's `addons.<api>` changed by `edit`. */
const edited = (api, edit) => withSettings('addons', api, edit(structuredClone(settings(api))));

// SAML receivers check times against their own clock: mint at the real time.
const realNow = () => Math.floor(Date.now() / 1000);
async function mint(apiType, { now = realNow(), tenant = tenantWithAddons, claims = {} } = {}) {
  const idToken = await joseIdToken('spa', { claims: { iat: now - 60, exp: now + 7200, ...claims } });
  return new Delegator(tenant).delegate(params('spa', idToken, { api_type: apiType, target: 'addons' }), { now });
}
const xmlOf = (b64) => Buffer.from(b64, 'base64').toString('utf8');
/** One byte of the NameID changed (the user named in the signed assertion). */
function tamper(xml) {
  const at = xml.indexOf('>', xml.indexOf('<saml:NameID')) + 1;
  return xml.slice(0, at) + (xml[at] === 'X' ? 'Y' : 'X') + xml.slice(at + 1);
}
/** A bare assertion, as an IdP-initiated Response around it (unsigned: the assertion is). */
const wrap = (assertion, destination) => `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="${destination}" ID="_wrap" IssueInstant="${new Date().toISOString()}" Version="2.0"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${ISSUER}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"></samlp:StatusCode></samlp:Status>${assertion}</samlp:Response>`;

function nodeSaml(audience, { responseSigned = false } = {}) {
  return new SAML({ idpCert: CERT, issuer: audience, audience, callbackUrl: audience, wantAssertionsSigned: true, wantAuthnResponseSigned: responseSigned, validateInResponseTo: 'never', acceptedClockSkewMs: 0 });
}

samlify.setSchemaValidator(xmllint);
function samlifyParse(xml, audience, { responseSigned = false } = {}) {
  const idp = samlify.IdentityProvider({
    entityID: ISSUER, signingCert: CERT, wantAuthnRequestsSigned: false, isAssertionEncrypted: false,
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: 'https://tenant.test.example/samlp' }],
    singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: 'https://tenant.test.example/logout' }],
  });
  const sp = samlify.ServiceProvider({ entityID: audience, wantAssertionsSigned: true, wantMessageSigned: responseSigned, assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: audience }] });
  return sp.parseLoginResponse(idp, 'post', { body: { SAMLResponse: Buffer.from(xml).toString('base64') } });
}

// ---------------------------------------------------------------------------------------
// Servers: moto (AWS STS) and a SAP-style token endpoint, on 127.0.0.1.

let moto;
let motoUrl;
let sap;
let sapUrl;
const sapSeen = [];

async function startMoto() {
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing: npm test creates it (python3 -m venv .venv; pip install -r tests/py/requirements.txt)`);
  const port = await freePort();
  const child = spawn(join(root, '.venv', 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (b) => (log += b));
  child.stderr.on('data', (b) => (log += b));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${url}moto-api/`);
      break;
    } catch {
      if (i > 150 || child.exitCode !== null) throw new Error(`moto did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { child, url };
}

/** A token endpoint that accepts exactly our SAML bearer request, verifying its assertion. */
function sapEndpoint(req, res) {
  let body = '';
  req.on('data', (b) => (body += b));
  req.on('end', () => {
    sapSeen.push({ method: req.method, url: req.url, headers: req.headers, body });
    const reply = (status, json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const s = settings('sap_api');
    const expected = `Basic ${Buffer.from(`${s.clientid}:${s.servicePassword}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return reply(401, { error: 'invalid_client', error_description: 'Bad credentials' });
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:saml2-bearer' || form.get('client_id') !== s.clientid || form.get('scope') !== s.scope) {
      return reply(400, { error: 'invalid_request', error_description: 'unexpected form' });
    }
    const xml = xmlOf(form.get('assertion'));
    const endpoint = `${sapUrl}/oauth2/api/v1/token`;
    const audience = /<saml:Audience>([^<]*)</.exec(xml)?.[1];
    if (!xmlCryptoVerifies(xml) || audience !== endpoint || !xml.includes(`Recipient="${endpoint}"`)) {
      return reply(400, { error: 'invalid_grant', error_description: 'assertion refused' });
    }
    reply(200, { access_token: 'sap-access-token', token_type: 'Bearer', expires_in: 43199, scope: s.scope });
  });
}

before(async () => {
  moto = await startMoto();
  motoUrl = moto.url;
  sap = createServer(sapEndpoint);
  await new Promise((r) => sap.listen(0, '127.0.0.1', r));
  sapUrl = `http://127.0.0.1:${sap.address().port}`;
});

after(async () => {
  sap?.close();
  if (moto) {
    moto.child.kill();
    await new Promise((r) => (moto.child.exitCode !== null ? r() : moto.child.once('exit', r)));
  }
});

// ---------------------------------------------------------------------------------------
// The documents, judged by the verifiers.

/** sap_api's assertion, aws's response, and an assertion for a user whose name needs escaping. */
async function documents() {
  const sapXml = xmlOf((await mint('sap_api')).assertion);
  const awsXml = xmlOf((await mint('aws')).saml_response);
  const oddXml = xmlOf((await mint('sap_api', { claims: { email: 'a<b>&"c\'\r\n\td@example.com' } })).assertion);
  return { sapXml, awsXml, oddXml };
}

test('xml-crypto verifies every signature (the aws response has two); one changed byte fails', async () => {
  const { sapXml, awsXml, oddXml } = await documents();
  for (const xml of [sapXml, awsXml, oddXml]) {
    assert.equal(xmlCryptoVerifies(xml), true);
    assert.equal(xmlCryptoVerifies(tamper(xml)), false);
  }
  assert.match(oddXml, /<saml:NameID[^>]*>a&lt;b&gt;&amp;"c'&#xD;\n\td@example.com<\/saml:NameID>/);
});

test('node-saml accepts them as a service provider (signature, audience, times) and refuses the rest', async () => {
  const { sapXml, awsXml } = await documents();
  const sapProfile = (await nodeSaml(SAP).validatePostResponseAsync({ SAMLResponse: Buffer.from(wrap(sapXml, SAP)).toString('base64') })).profile;
  assert.equal(sapProfile.nameID, 'ada@example.com');
  assert.equal(sapProfile.nameIDFormat, settings('sap_api').nameIdentifierFormat);
  assert.equal(sapProfile.issuer, ISSUER);
  assert.equal(sapProfile.attributes.client_id, settings('sap_api').clientid);
  const aws = await nodeSaml(AWS, { responseSigned: true }).validatePostResponseAsync({ SAMLResponse: Buffer.from(awsXml).toString('base64') });
  assert.equal(aws.profile.nameID, 'auth0|user-1');
  assert.equal(aws.profile.nameIDFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
  assert.equal(aws.profile['https://aws.amazon.com/SAML/Attributes/Role'], `${settings('aws').role},${settings('aws').principal}`);
  assert.equal(aws.profile['https://aws.amazon.com/SAML/Attributes/RoleSessionName'], 'ada@example.com');
  assert.equal(aws.profile['https://aws.amazon.com/SAML/Attributes/SessionDuration'], '3600');

  const refuse = (saml, xml, re) => assert.rejects(saml.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') }), re);
  await refuse(nodeSaml(AWS, { responseSigned: true }), tamper(awsXml), /signature/i);
  await refuse(nodeSaml(SAP), wrap(tamper(sapXml), SAP), /signature/i);
  await refuse(nodeSaml('https://other.example/saml', { responseSigned: true }), awsXml, /audience/i);
  const old = xmlOf((await mint('aws', { now: realNow() - 600 })).saml_response);
  await refuse(nodeSaml(AWS, { responseSigned: true }), old, /expired/i);
});

test('samlify with its xmllint schema validator accepts them; tampered or schema-invalid documents are refused', async () => {
  const { sapXml, awsXml } = await documents();
  const sapOut = await samlifyParse(wrap(sapXml, SAP), SAP);
  assert.equal(sapOut.extract.nameID, 'ada@example.com');
  assert.equal(sapOut.extract.audience, SAP);
  assert.deepEqual(sapOut.extract.attributes, { client_id: settings('sap_api').clientid });
  const awsOut = await samlifyParse(awsXml, AWS, { responseSigned: true });
  assert.equal(awsOut.extract.nameID, 'auth0|user-1');
  assert.equal(awsOut.extract.issuer, ISSUER);
  assert.equal(awsOut.extract.attributes['https://aws.amazon.com/SAML/Attributes/SessionDuration'], '3600');
  await assert.rejects(samlifyParse(tamper(awsXml), AWS, { responseSigned: true }));
  await assert.rejects(samlifyParse(wrap(tamper(sapXml), SAP), SAP));
  // The validator is live: Status after the Assertion breaks the schema's sequence.
  const reordered = awsXml.replace(/<samlp:Status>.*?<\/samlp:Status>/, '').replace('</samlp:Response>', '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"></samlp:StatusCode></samlp:Status></samlp:Response>');
  await assert.rejects(samlifyParse(reordered, AWS), /ERR_EXCEPTION_VALIDATE_XML/);
});

test('signxml (Python) verifies them and lxml exclusive c14n leaves every byte unchanged', async () => {
  const { sapXml, awsXml, oddXml } = await documents();
  const r = spawnSync(PYTHON, [join(root, 'tests', 'py', 'saml_check.py')], { input: JSON.stringify({ cert: CERT, docs: [sapXml, awsXml, oddXml] }), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    { c14n_unchanged: true, signatures: 1, tampered_rejected: true },
    { c14n_unchanged: true, signatures: 2, tampered_rejected: true },
    { c14n_unchanged: true, signatures: 1, tampered_rejected: true },
  ]);
});

// ---------------------------------------------------------------------------------------
// The exchange, through the edge handler.

async function post(handler, apiType, claims = {}) {
  const now = realNow();
  const idToken = await joseIdToken('spa', { claims: { iat: now - 60, exp: now + 7200, ...claims } });
  const res = await handler(new Request('https://edge.example/delegation', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params('spa', idToken, { api_type: apiType, target: 'addons' })),
  }));
  return { status: res.status, body: await res.json(), headers: res.headers };
}

test('aws through createHandler: moto answers AssumeRoleWithSAML and the handler returns Auth0\'s JSON', async () => {
  const handler = createHandler(tenantWithAddons, { stsEndpoint: motoUrl });
  const { status, body, headers } = await post(handler, 'aws');
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body.Credentials), ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
  assert.match(body.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.ok(body.Credentials.SessionToken.length > 40);
  assert.ok(Date.parse(body.Credentials.Expiration) > Date.now() + 3000 * 1000, 'SessionDuration 3600 reached STS');
  assert.equal(body.AssumedRoleUser.Arn, 'arn:aws:sts::123456789012:assumed-role/edge-delegation-test/ada@example.com');
  assert.equal(body.SubjectType, 'persistent');
  assert.equal(body.Audience, AWS);
  for (const k of ['Subject', 'Issuer', 'NameQualifier']) assert.equal(typeof body[k], 'string', k);
  assert.equal(headers.get('x-ratelimit-limit'), '10');
  assert.equal(headers.get('cache-control'), 'no-store');

  // A user AWS cannot name: the handler answers before calling STS.
  const bad = await post(handler, 'aws', { email: 'x' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid_request');
  assert.match(bad.body.error_description, /AWS session name .* 2 to 64/);
});

test('sap_api through createHandler: the endpoint gets exactly the request built and verifies its assertion', async () => {
  const endpoint = `${sapUrl}/oauth2/api/v1/token`;
  const tenant = edited('sap_api', (s) => ({ ...s, tokenEndpointUrl: endpoint }));
  const handler = createHandler(tenant);
  sapSeen.length = 0;
  const { status, body } = await post(handler, 'sap_api');
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body, { access_token: 'sap-access-token', token_type: 'Bearer', expires_in: 43199, scope: 'read write' });
  assert.equal(sapSeen.length, 1);
  const seen = sapSeen[0];
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/oauth2/api/v1/token');
  assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual([...new URLSearchParams(seen.body).keys()], ['grant_type', 'client_id', 'scope', 'assertion']);

  // The request `delegate` returns is the one the handler sent (the assertion aside: fresh ID).
  const direct = await mint('sap_api', { tenant });
  assert.equal(direct.token_request.url, endpoint);
  assert.equal(direct.token_request.headers.authorization, seen.headers.authorization);
  assert.equal(direct.token_request.body.replace(/assertion=.*$/, ''), seen.body.replace(/assertion=.*$/, ''));

  // The assertion encoded base64url (RFC 7522's wording) is accepted the same way.
  const url = edited('sap_api', (s) => ({ ...s, tokenEndpointUrl: endpoint, assertionEncoding: 'base64url' }));
  assert.equal((await post(createHandler(url), 'sap_api')).status, 200);
});

test('provider failures become clean JSON errors; the caller never sees credentials', async () => {
  const endpoint = `${sapUrl}/oauth2/api/v1/token`;
  const wrongPassword = edited('sap_api', (s) => ({ ...s, tokenEndpointUrl: endpoint, servicePassword: 'wrong' }));
  const errors = [];
  const refused = await post(createHandler(wrongPassword, { onError: (e) => errors.push(e) }), 'sap_api');
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body, { error: 'access_denied', error_description: 'the SAP token endpoint refused the request (HTTP 401): invalid_client: Bad credentials' });
  assert.ok(!JSON.stringify(refused.body).includes('wrong'));

  const port = await freePort();
  const unreachable = await post(createHandler(tenantWithAddons, { stsEndpoint: `http://127.0.0.1:${port}/`, onError: (e) => errors.push(e) }), 'aws');
  assert.equal(unreachable.status, 502);
  assert.equal(unreachable.body.error, 'server_error');
  assert.match(unreachable.body.error_description, /could not reach AWS STS/);
  assert.equal(errors.length, 1, 'the network failure goes to onError');

  // STS's refusal (moto checks no trust, so a custom `fetch` answers as STS does).
  const stsError = async () => new Response('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Not authorized</Message></Error></ErrorResponse>', { status: 400 });
  const denied = await post(createHandler(tenantWithAddons, { fetch: stsError }), 'aws');
  assert.deepEqual([denied.status, denied.body.error, denied.body.error_description], [403, 'access_denied', 'AWS STS refused the request (HTTP 400): InvalidIdentityToken: Not authorized']);
  assert.throws(() => createHandler(tenantWithAddons, { fetch: 'no' }), (e) => e instanceof ConfigError && e.path === 'fetch');
  assert.throws(() => createHandler(tenantWithAddons, { stsEndpoint: 'http://sts.example/' }), (e) => e instanceof ConfigError && /https:\/\//.test(e.message));
});

test('bad settings are refused at construction, naming the setting; delegate errors are typed', async () => {
  for (const [api, edit, path, re] of [
    ['sap_api', ({ clientid, ...s }) => s, 'clientid', /missing: set it to the OAuth client id/],
    ['sap_api', (s) => ({ ...s, tokenEndpointUrl: 'http://sap.example/token' }), 'tokenEndpointUrl', /https:\/\//],
    ['aws', (s) => ({ ...s, role: 'admin' }), 'role', /arn:aws:iam::123456789012:role\/Name/],
    ['aws', (s) => ({ ...s, lifetime_in_seconds: 60 }), 'lifetime_in_seconds', /from 900 to 43200/],
  ]) {
    assert.throws(() => new Delegator(edited(api, edit)), (e) => e instanceof ConfigError && e.path.endsWith(`addons.${api}.${path}`) && re.test(e.message), `${api}.${path}`);
  }
  const noRsa = structuredClone(tenantWithAddons);
  noRsa.signing_keys = noRsa.signing_keys.filter((k) => k.kty !== 'RSA');
  noRsa.clients = noRsa.clients.filter((c) => c.client_id === 'addons' || c.client_id === 'spa').map((c) => ({ ...c, jwt_configuration: { ...c.jwt_configuration, alg: 'ES256' }, addons: c.addons?.aws ? { aws: c.addons.aws } : {} }));
  assert.throws(() => new Delegator(noRsa), { name: 'ConfigError', message: /signing_keys has no RSA key/ });
  await assert.rejects(mint('sap_api', { claims: { email: undefined } }), (e) => e instanceof DelegationError && e.code === 'invalid_request' && /usernameAttribute/.test(e.message));
});
