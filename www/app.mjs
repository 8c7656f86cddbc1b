// The demo page: a tenant, a sign-in, a delegation, all through the WebAssembly module.
import { Delegator, sign, decode, verify, DelegationError } from '/pkg/web.mjs';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const $ = (id) => document.getElementById(id);
const REASONS = { 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error' };
const EXPLAIN = {
  alg: 'signature algorithm', typ: 'token type', kid: 'which tenant key signed it',
  iss: 'issuer: the tenant', sub: 'subject: the user id', aud: 'audience: who may accept it',
  iat: 'issued at', exp: 'expires at', nbf: 'not valid before', azp: 'authorized party: the client that asked',
  jti: 'token id, for revocation lists', act: 'actor (RFC 8693)', name: 'profile: full name',
  nickname: 'profile: nickname', email: 'email address', email_verified: 'whether the email was verified',
  picture: 'profile: picture URL',
};

const state = { demoText: '', tenant: null, delegator: null, idToken: null, params: null, timer: null };

function b64urlBytes(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function secretOf(client) {
  if (!client.client_secret) return null;
  return client.jwt_configuration?.secret_encoded ? b64urlBytes(client.client_secret) : client.client_secret;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function claimTable(obj) {
  const table = el('table', { class: 'claims' });
  const body = el('tbody');
  for (const [k, v] of Object.entries(obj)) {
    let value = typeof v === 'string' ? v : JSON.stringify(v);
    if ((k === 'iat' || k === 'exp' || k === 'nbf') && typeof v === 'number') {
      value += ` (${new Date(v * 1000).toISOString().replace('.000', '')})`;
    }
    body.append(el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, value), el('td', { class: 'what' }, EXPLAIN[k] ?? '')));
  }
  table.append(body);
  return table;
}

// The compact form, its three segments colored as the decoded panels are.
function renderEncoded(target, token) {
  const [h, p, sig] = token.split('.');
  target.replaceChildren(el('span', { class: 'seg-h' }, h), '.', el('span', { class: 'seg-p' }, p), '.', el('span', { class: 'seg-s' }, sig));
}

function renderDecoded(target, token) {
  const { header, payload } = decode(token);
  target.replaceChildren(
    el('div', { class: 'h' }, el('h4', {}, 'Header'), claimTable(header)),
    el('div', { class: 'p' }, el('h4', {}, 'Payload'), claimTable(payload)),
  );
  return payload;
}

/** A SAML document (base64 or base64url of its XML): the XML as text, the encoded form below. */
function showSaml(encoded, apiType) {
  const bytes = Uint8Array.from(atob(encoded.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const xml = new TextDecoder().decode(bytes);
  $('outgoing-decoded').replaceChildren(el('pre', { class: 'json saml', tabindex: '0', 'aria-label': 'The SAML document' }, xml.replace(/></g, '>\n<')));
  $('outgoing-token').replaceChildren(encoded);
  $('verification').textContent = `A SAML ${apiType === 'aws' ? 'response' : 'assertion'} signed RSA-SHA256 with the tenant key: ${apiType === 'aws' ? 'AWS' : 'SAP'} verifies it with the tenant's certificate (x5c); the edge handler sends token_request for you.`;
  $('verification').className = 'verification';
  clearInterval(state.timer);
  $('countdown').textContent = '';
}

function setBusy(disabled) {
  for (const id of ['signin-btn', 'delegate-btn']) $(id).disabled = disabled;
  for (const b of document.querySelectorAll('[data-scenario]')) b.disabled = disabled;
}

function fillSelect(select, clients, preferred) {
  const keep = select.value;
  select.replaceChildren(...clients.map((c) => el('option', { value: c.client_id }, `${c.name ?? c.client_id} (${c.client_id})`)));
  const ids = clients.map((c) => c.client_id);
  select.value = ids.includes(keep) ? keep : ids.includes(preferred) ? preferred : ids[0] ?? '';
}

function loadTenant() {
  const text = $('tenant').value;
  try {
    const delegator = new Delegator(text);
    state.tenant = JSON.parse(text);
    state.delegator = delegator;
    $('tenant-error').hidden = true;
    $('tenant').removeAttribute('aria-invalid');
    fillSelect($('client'), state.tenant.clients, 'spa');
    fillSelect($('target'), state.tenant.clients, 'api-rs');
    setBusy(false);
  } catch (e) {
    state.delegator = null;
    $('tenant-error').textContent = e.message;
    $('tenant-error').hidden = false;
    $('tenant').setAttribute('aria-invalid', 'true');
    setBusy(true);
  }
}

function signIn({ clientId = $('client').value, alg = document.querySelector('input[name=alg]:checked').value, ageSeconds = 0 } = {}) {
  const t = state.tenant;
  const client = t.clients.find((c) => c.client_id === clientId);
  const now = Math.floor(Date.now() / 1000) - ageSeconds;
  const name = $('name').value;
  const claims = {
    iss: t.issuer, sub: $('sub').value, aud: clientId, iat: now, exp: now + 3600,
    name, nickname: name.split(' ')[0].toLowerCase(), email: $('email').value, email_verified: true,
  };
  let token;
  if (alg === 'HS256') {
    const secret = secretOf(client);
    if (!secret) throw new Error(`${clientId} has no client_secret, so it cannot receive HS256 id_tokens: choose RS256`);
    token = sign(claims, secret, { alg: 'HS256', typ: 'JWT' });
  } else {
    const key = (t.signing_keys ?? []).find((k) => k.kty === 'RSA');
    if (!key) throw new Error('the tenant has no RSA signing key: add one to signing_keys');
    token = sign(claims, key, { alg: 'RS256', kid: key.kid, typ: 'JWT' });
  }
  state.idToken = token;
  $('incoming-client').textContent = clientId;
  renderEncoded($('incoming-token'), token);
  renderDecoded($('incoming-decoded'), token);
  $('incoming').hidden = false;
  $('client').value = clientId;
  document.querySelector(`input[name=alg][value=${alg}]`).checked = true;
}

function verifyOutgoing(token, targetId) {
  const target = state.tenant.clients.find((c) => c.client_id === targetId);
  const hs = (target.jwt_configuration?.alg ?? 'RS256') === 'HS256';
  const keys = hs ? { secret: secretOf(target) } : { jwks: state.delegator.publicJwks() };
  try {
    const { header } = verify(token, { ...keys, issuer: state.tenant.issuer, audience: targetId });
    const by = hs ? `${targetId}'s client_secret (HS256)` : `the tenant's public key ${header.kid} (${header.alg})`;
    $('verification').textContent = `✓ Signature and claims verified with ${by}.`;
    $('verification').className = 'verification ok';
  } catch (e) {
    $('verification').textContent = `✗ ${e.code}: ${e.message}`;
    $('verification').className = 'verification bad';
  }
}

function startCountdown(exp) {
  clearInterval(state.timer);
  const tick = () => {
    const left = exp - Math.floor(Date.now() / 1000);
    if (left <= 0) {
      $('countdown').textContent = 'Expired.';
      clearInterval(state.timer);
      return;
    }
    const h = Math.floor(left / 3600);
    const m = String(Math.floor((left % 3600) / 60)).padStart(2, '0');
    const s = String(left % 60).padStart(2, '0');
    $('countdown').textContent = `Expires in ${h ? `${h}:` : ''}${m}:${s}`;
  };
  tick();
  state.timer = setInterval(tick, 1000);
}

function showResult(status, body) {
  $('result-empty').hidden = true;
  $('result-body').hidden = false;
  $('http-status').textContent = `HTTP ${status} ${REASONS[status] ?? ''}`;
  $('http-status').className = `http ${status === 200 ? 'ok' : 'bad'}`;
  $('response-json').textContent = JSON.stringify(body, null, 2);
  // id_token: app, firebase, wams, layer; assertion: salesforce; SAML (base64 XML): sap_api, aws.
  const apiType = state.params?.api_type ?? 'app';
  const saml = body.saml_response ?? (apiType === 'sap_api' ? body.assertion : undefined);
  const token = saml ? undefined : body.id_token ?? body.assertion;
  $('outgoing').hidden = !token && !saml;
  if (saml) {
    showSaml(saml, apiType);
  } else if (token) {
    renderEncoded($('outgoing-token'), token);
    const payload = renderDecoded($('outgoing-decoded'), token);
    if (apiType === 'app' || apiType === 'auth0') {
      verifyOutgoing(token, payload.aud);
    } else {
      $('verification').textContent = `A ${apiType} token: its receiver verifies it (see the README's ${apiType} section).`;
      $('verification').className = 'verification';
    }
    startCountdown(payload.exp);
  } else {
    clearInterval(state.timer);
  }
  $('code').hidden = true;
  $('copied').textContent = '';
  $('result').focus();
}

function delegate(params) {
  state.params = params;
  try {
    showResult(200, state.delegator.delegate(params));
  } catch (e) {
    if (!(e instanceof DelegationError)) throw e;
    showResult(e.status, e.toJSON());
  }
}

function currentParams() {
  const p = { grant_type: GRANT, client_id: $('client').value, id_token: state.idToken, target: $('target').value, api_type: $('api_type').value, scope: $('scope').value };
  // Layer's client SDK hands the app a nonce to answer; the demo sends a fixed one.
  if (p.api_type === 'layer') p.nonce = 'demo-layer-nonce';
  return p;
}

const shellQuote = (s) => `'${s.replace(/'/g, "'\\''")}'`;
const CODE = {
  node: (p) => `import { readFileSync } from 'node:fs';
import { Delegator } from 'edge-delegation';

// The demo tenant (TEST-ONLY keys): examples/demo-tenant.json in the repository.
const delegator = new Delegator(readFileSync('examples/demo-tenant.json', 'utf8'));
const response = delegator.delegate(${JSON.stringify(p, null, 2)});
console.log(response);
`,
  worker: (p) => `// A Cloudflare Worker. Store the tenant as a secret: wrangler secret put TENANT_JSON
import { createHandler } from 'edge-delegation';

let handler;
export default {
  fetch(request, env) {
    handler ??= createHandler(env.TENANT_JSON, { trustedIpHeader: 'cf-connecting-ip' });
    return handler(request);
  },
};

// Then POST /delegation with:
// ${JSON.stringify(p)}
`,
  curl: (p) => `# Against the example server (npm run server: the demo tenant on 127.0.0.1:8787)
curl -s -X POST http://127.0.0.1:8787/delegation \\
  -H 'content-type: application/json' \\
  -d ${shellQuote(JSON.stringify(p))}
`,
};

async function copy(kind) {
  const text = CODE[kind](state.params);
  $('code').textContent = text;
  $('code').hidden = false;
  try {
    await navigator.clipboard.writeText(text);
    $('copied').textContent = 'Copied to the clipboard.';
  } catch {
    $('copied').textContent = 'Your browser blocked the clipboard: the code is shown below.';
  }
}

const SCENARIOS = {
  expired: () => {
    signIn({ clientId: 'spa', alg: 'RS256', ageSeconds: 7200 });
    $('target').value = 'api-rs';
  },
  'public-hs256': () => {
    signIn({ clientId: 'spa-hs', alg: 'RS256' });
    $('target').value = 'api-rs';
  },
  'not-allowed': () => {
    signIn({ clientId: 'web-hs', alg: 'HS256' });
    $('target').value = 'api-rs';
  },
};

function report(e) {
  $('status').textContent = `Error: ${e.message}`;
}

async function main() {
  state.demoText = await (await fetch('/demo-tenant.json')).text();
  $('tenant').value = state.demoText;
  loadTenant();
  let debounce;
  $('tenant').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(loadTenant, 250);
  });
  $('tenant-reset').addEventListener('click', () => {
    $('tenant').value = state.demoText;
    loadTenant();
  });
  $('signin').addEventListener('submit', (ev) => {
    ev.preventDefault();
    try {
      signIn();
      $('status').textContent = 'Signed in: now delegate.';
    } catch (e) {
      report(e);
    }
  });
  // An add-on needs a target that enables it: pick the first such client.
  $('api_type').addEventListener('change', () => {
    const api = $('api_type').value;
    const target = state.tenant?.clients.find((c) => c.addons?.[api]);
    if (target) $('target').value = target.client_id;
  });
  $('delegate-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!state.idToken) signIn();
    delegate(currentParams());
  });
  for (const b of document.querySelectorAll('[data-scenario]')) {
    b.addEventListener('click', () => {
      try {
        SCENARIOS[b.dataset.scenario]();
        $('api_type').value = 'app';
        delegate(currentParams());
      } catch (e) {
        report(e);
      }
    });
  }
  for (const b of document.querySelectorAll('[data-copy]')) b.addEventListener('click', () => copy(b.dataset.copy));
  $('status').textContent = 'Ready: the WebAssembly module is loaded. Sign in to begin.';
  document.body.dataset.ready = 'true';
}

main().catch(report);
