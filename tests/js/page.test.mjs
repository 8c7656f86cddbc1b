// The demo page in headless Chromium (Debian's, driven by playwright-core): sign in, delegate,
// re-verify the displayed tokens with jose, copy the call as curl and run it against the
// example server, walk the error paths, edit the tenant, check accessibility basics and the
// console, and save screenshots under test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as jose from 'jose';
import { chromium } from 'playwright-core';
import { Delegator } from 'edge-delegation';
import { serve } from '../../www/serve.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const demo = JSON.parse(readFileSync(join(root, 'examples', 'demo-tenant.json'), 'utf8'));
const jwks = jose.createLocalJWKSet(new Delegator(demo).publicJwks());
const out = join(root, 'test-results');
let site;
let browser;
let page;
const problems = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: npm test installs it (apt-get install chromium)`);
  site = await serve(0);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  mkdirSync(out, { recursive: true });
});

after(async () => {
  await browser?.close();
  site?.server.close();
});

const text = (sel) => page.textContent(sel);

async function delegateVia(target, apiType = 'app') {
  // api_type first: choosing an add-on preselects a target that enables it.
  await page.selectOption('#api_type', apiType);
  await page.selectOption('#target', target);
  await page.click('#delegate-btn');
  await page.waitForFunction(() => !document.getElementById('result-body').hidden);
}

test('npm run demo (www/serve.mjs) prints the URL and serves the page, the module and the tenant', async () => {
  const child = spawn(process.execPath, ['www/serve.mjs'], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(child.stdout, 'data');
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(line))[0];
    for (const [path, type] of [['', 'text/html'], ['app.mjs', 'text/javascript'], ['pkg/web/edge_delegation_bg.wasm', 'application/wasm'], ['demo-tenant.json', 'application/json']]) {
      const r = await fetch(url + path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), new RegExp(`^${type}`));
    }
    assert.equal((await fetch(`${url}..%2fCargo.toml`)).status, 404, 'no path traversal');
    assert.equal((await fetch(`${url}pkg/..%2f..%2fCargo.toml`)).status, 404, 'no path traversal');
  } finally {
    child.kill();
  }
});

test('a user signs in and delegates; the displayed tokens verify under jose', async () => {
  await page.goto(site.url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 20000 });
  assert.match(await text('#status'), /Ready/);
  await page.click('#signin-btn');
  await page.waitForSelector('#incoming:not([hidden])');
  assert.match(await text('#incoming-decoded'), /auth0\|5f7c8ec7c33c6c004bbafe82/);
  assert.equal((await page.$$('#incoming-token span')).length, 3, 'the encoded id_token, in three colored segments');

  await delegateVia('api-rs');
  assert.equal(await text('#http-status'), 'HTTP 200 OK');
  assert.match(await text('#verification'), /^✓ Signature and claims verified/);
  assert.match(await text('#countdown'), /^Expires in (1:00:00|59:\d\d)$/);
  const token = await text('#outgoing-token');
  const { payload } = await jose.jwtVerify(token, jwks, { issuer: demo.issuer, audience: 'api-rs' });
  assert.equal(payload.azp, 'spa');
  assert.equal(payload.name, 'Ada Lovelace');
  assert.equal(JSON.parse(await text('#response-json')).id_token, token);
  await page.screenshot({ path: join(out, 'demo.png'), fullPage: true });

  await delegateVia('web-hs');
  const hs = await text('#outgoing-token');
  const secret = new TextEncoder().encode(demo.clients.find((c) => c.client_id === 'web-hs').client_secret);
  assert.equal((await jose.jwtVerify(hs, secret, { audience: 'web-hs' })).protectedHeader.alg, 'HS256');
});

test('a user delegates to the add-ons: a Firebase token verified by jose, an Azure SAS, SAML for AWS and SAP', async () => {
  await page.selectOption('#api_type', 'firebase');
  assert.equal(await page.inputValue('#target'), 'addons', 'the target that enables firebase is preselected');
  await page.click('#delegate-btn');
  await page.waitForFunction(() => document.getElementById('http-status').textContent === 'HTTP 200 OK');
  const fb = demo.clients.find((c) => c.client_id === 'addons').addons.firebase;
  const token = await text('#outgoing-token');
  // The service account key of the demo is the tenant's rsa-2 key material.
  const serviceAccount = await jose.importJWK(new Delegator(demo).publicJwks().keys.find((k) => k.kid === 'rsa-2'), 'RS256');
  const { payload, protectedHeader } = await jose.jwtVerify(token, serviceAccount, {
    issuer: fb.client_email,
    audience: 'https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit',
  });
  assert.equal(protectedHeader.kid, 'demo-key-1');
  assert.equal(payload.uid, 'auth0|5f7c8ec7c33c6c004bbafe82');
  assert.match(await text('#verification'), /firebase token: its receiver verifies it/);

  await delegateVia('addons', 'azure_blob');
  assert.equal(await text('#http-status'), 'HTTP 200 OK');
  const body = JSON.parse(await text('#response-json'));
  assert.match(body.azure_blob_sas, /^sv=2026-10-06&se=[^&]+&sr=b&sp=r&sig=[^&]+$/);
  assert.equal(body.expires_in, 300);
  assert.equal(await page.isHidden('#outgoing'), true, 'a SAS is not a JWT: no token panel');
  await page.screenshot({ path: join(out, 'demo-addon.png'), fullPage: true });

  await delegateVia('addons', 'layer');
  assert.equal(JSON.parse(await text('#response-json')).token_type, 'Bearer');
  assert.match(await text('#outgoing-decoded'), /demo-layer-nonce/);

  await delegateVia('addons', 'aws');
  assert.equal(await text('#http-status'), 'HTTP 200 OK');
  assert.match(await text('#outgoing-decoded'), /<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2\.0:protocol" Destination="https:\/\/signin\.aws\.amazon\.com\/saml"/);
  assert.match(await text('#outgoing-decoded'), /<saml:AttributeValue>arn:aws:iam::123456789012:role\/edge-delegation-demo,arn:aws:iam::123456789012:saml-provider\/edge-delegation-demo<\/saml:AttributeValue>/);
  assert.match(await text('#response-json'), /"url": "https:\/\/sts\.amazonaws\.com\/"/);
  assert.match(await text('#verification'), /SAML response signed RSA-SHA256/);
  await delegateVia('addons', 'sap_api');
  assert.match(await text('#outgoing-decoded'), /<saml:NameID Format="urn:oasis:names:tc:SAML:1\.1:nameid-format:unspecified">[^<]+@[^<]+<\/saml:NameID>/);
  await page.screenshot({ path: join(out, 'demo-saml.png'), fullPage: true });
});

test('the copied curl command works against the example server', async () => {
  await delegateVia('api-rs');
  await page.click('[data-copy=curl]');
  await page.waitForSelector('#code:not([hidden])');
  const snippet = await text('#code');
  assert.match(snippet, /^# Against the example server/);
  const server = spawn(process.execPath, ['examples/node-server.mjs'], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(server.stdout, 'data');
    const port = /127\.0\.0\.1:(\d+)/.exec(String(line))[1];
    const body = execFileSync('bash', ['-c', snippet.replaceAll('127.0.0.1:8787', `127.0.0.1:${port}`)], { encoding: 'utf8' });
    assert.equal(JSON.parse(body).token_type, 'Bearer');
  } finally {
    server.kill();
  }
  await page.click('[data-copy=node]');
  assert.match(await text('#code'), /new Delegator\(readFileSync\('examples\/demo-tenant.json'/);
  await page.click('[data-copy=worker]');
  assert.match(await text('#code'), /createHandler\(env.TENANT_JSON/);
});

test('error paths render as the user receives them', async () => {
  const cases = [
    ['expired', 'HTTP 401 Unauthorized', /"error": "invalid_grant"[\s\S]*expired/],
    ['public-hs256', 'HTTP 401 Unauthorized', /set the client's jwt_configuration.alg to RS256/],
    ['not-allowed', 'HTTP 403 Forbidden', /"error": "access_denied"/],
  ];
  for (const [scenario, status, body] of cases) {
    await page.click(`[data-scenario=${scenario}]`);
    await page.waitForFunction((s) => document.getElementById('http-status').textContent === s, status);
    assert.match(await text('#response-json'), body);
    assert.equal(await page.isHidden('#outgoing'), true);
  }
  await page.selectOption('#client', 'spa');
  await page.check('input[name=alg][value=RS256]');
  await page.click('#signin-btn');
  await delegateVia('api-rs', 'firebase');
  assert.equal(await text('#http-status'), 'HTTP 400 Bad Request');
  assert.match(await text('#response-json'), /invalid_target[\s\S]*firebase add-on is not enabled on target/);
  await page.screenshot({ path: join(out, 'demo-error.png'), fullPage: true });
});

test('the tenant is editable, with errors shown inline', async () => {
  await page.click('#tenant-details summary');
  const original = await page.inputValue('#tenant');
  await page.fill('#tenant', '{ "issuer": ');
  await page.waitForSelector('#tenant-error:not([hidden])');
  assert.match(await text('#tenant-error'), /not valid JSON/);
  assert.equal(await page.isDisabled('#delegate-btn'), true);
  const edited = JSON.parse(original);
  edited.clients[2].jwt_configuration.alg = 'HS257';
  await page.fill('#tenant', JSON.stringify(edited, null, 2));
  await page.waitForFunction(() => /HS257/.test(document.getElementById('tenant-error').textContent));
  assert.match(await text('#tenant-error'), /clients\[2\]\.jwt_configuration\.alg: unknown algorithm "HS257"/);
  await page.click('#tenant-reset');
  await page.waitForSelector('#tenant-error[hidden]', { state: 'attached' });
  assert.equal(await page.isDisabled('#delegate-btn'), false);
});

test('accessible and responsive, with a clean console', async () => {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')].filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.setViewportSize({ width: 390, height: 844 });
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
  assert.ok(scroll <= inner, `no horizontal scrolling on a phone (${scroll} > ${inner})`);
  await page.screenshot({ path: join(out, 'demo-phone.png') });
  assert.deepEqual(problems, []);
});
