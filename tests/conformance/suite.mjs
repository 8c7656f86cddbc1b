// The conformance suite: the same file runs against the package in Node (CJS and ESM), workerd,
// Deno, Bun and an esbuild bundle. Standard JavaScript only (no node: modules): each runtime's
// runner passes the package, the TEST-ONLY fixtures and its name, and gets a summary back or
// an exception naming the failed check.

let checks = 0;
function check(cond, what) {
  if (!cond) throw new Error(`conformance: ${what}`);
  checks += 1;
}

function throwsCode(fn, cls, code, what) {
  try {
    fn();
  } catch (e) {
    check(e instanceof cls && e instanceof Error, `${what}: an instance of ${cls.name}, got ${e?.name}`);
    check(e.code === code, `${what}: code ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  throw new Error(`conformance: ${what}: no error thrown`);
}

export async function conformance(lib, tenant, keys, runtime) {
  checks = 0;
  const { Delegator, Verifier, verify, sign, decode, createHandler, DelegationError, VerifyError, ConfigError } = lib;
  const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
  const now = Math.floor(Date.now() / 1000);
  const results = {};
  const d = new Delegator(tenant);
  const jwks = d.publicJwks();
  check(jwks.keys.length === 4 && jwks.keys.every((k) => k.d === undefined), 'publicJwks holds public halves only');

  // 1. Delegation round trips: RS256 caller to RS256, ES256 and EdDSA targets; HS256 caller.
  const idToken = sign({ iss: tenant.issuer, sub: 'auth0|conf', aud: 'spa', iat: now, exp: now + 300, email: 'c@example.com' }, keys.rsa.jwk, { alg: 'RS256', kid: 'rsa-1' });
  for (const [target, alg] of [['api-rs', 'RS256'], ['api-es', 'ES256'], ['api-ed', 'EdDSA']]) {
    const res = d.delegate({ grant_type: GRANT, client_id: 'spa', id_token: idToken, target, scope: 'openid email' });
    check(res.token_type === 'Bearer' && typeof res.id_token === 'string', `${target}: Auth0 response shape`);
    const { header, payload } = verify(res.id_token, { jwks, issuer: tenant.issuer, audience: target });
    check(header.alg === alg, `${target}: signed ${alg}`);
    check(payload.sub === 'auth0|conf' && payload.azp === 'spa' && payload.email === 'c@example.com', `${target}: claims`);
    check(payload.exp - payload.iat === res.expires_in, `${target}: lifetime`);
    results[target] = res.id_token;
  }
  const hsSecret = tenant.clients.find((c) => c.client_id === 'web-hs').client_secret;
  const hsToken = sign({ iss: tenant.issuer, sub: 'auth0|conf', aud: 'web-hs', iat: now, exp: now + 300 }, hsSecret, { alg: 'HS256' });
  const hs = d.delegate(new URLSearchParams({ grant_type: GRANT, client_id: 'web-hs', id_token: hsToken }));
  check(verify(hs.id_token, { secret: hsSecret, audience: 'web-hs' }).header.alg === 'HS256', 'HS256 to itself, signed with its secret');

  // 2. Errors: typed, with OAuth and jose codes; the instance keeps working.
  const e = throwsCode(() => d.delegate({ grant_type: GRANT, client_id: 'web-hs', id_token: hsToken, target: 'api-rs' }), DelegationError, 'access_denied', 'allow-list');
  check(e.status === 403 && e.toJSON().error === 'access_denied', 'DelegationError status and toJSON');
  throwsCode(() => d.delegate(null), DelegationError, 'invalid_request', 'null params');
  throwsCode(() => new Delegator({ issuer: 'x' }), ConfigError, 'ERR_CONFIG_INVALID', 'bad tenant');

  // 3. Verify round trips and attack classes.
  const v = new Verifier({ key: keys.ec.public_spki, algorithms: ['ES256'] });
  const es = sign({ sub: 'u', exp: now + 60 }, keys.ec.private_pkcs8, { alg: 'ES256' });
  check(v.verify(es).payload.sub === 'u', 'ES256 sign and verify (PEM keys)');
  check(decode(es).header.alg === 'ES256', 'decode');
  const forged = `${es.split('.').slice(0, 2).join('.')}.${'A'.repeat(86)}`;
  throwsCode(() => v.verify(forged), VerifyError, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'zero ES256 signature');
  const b64 = (s) => btoa(s).replace(/=+$/, '');
  const none = `${b64('{"alg":"none"}')}.${b64('{}')}.`;
  throwsCode(() => verify(none, { secret: hsSecret }), VerifyError, 'ERR_JOSE_ALG_NOT_ALLOWED', 'alg none');
  throwsCode(() => verify(es, { key: keys.ec.public_spki, currentDate: new Date((now + 120) * 1000) }), VerifyError, 'ERR_JWT_EXPIRED', 'expired');
  check(d.delegate({ grant_type: GRANT, client_id: 'spa', id_token: idToken }).token_type === 'Bearer', 'still working after errors');

  // 4. The HTTP handler over Fetch API objects.
  const handle = createHandler(tenant);
  const r = await handle(new Request('https://edge.example/delegation', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: GRANT, client_id: 'spa', id_token: idToken, target: 'api-rs' }),
  }));
  check(r.status === 200 && r.headers.get('x-ratelimit-limit') === '10', `handler: 200 with rate-limit headers, got ${r.status}`);
  check(verify((await r.json()).id_token, { jwks, audience: 'api-rs' }).payload.sub === 'auth0|conf', 'handler: token verifies');
  check((await handle(new Request('https://edge.example/nope'))).status === 404, 'handler: 404');

  // 5. Add-ons and the policy hook: a Firebase v3 token (PEM key parsed in this runtime's
  // wasm), an Azure SAS, a per-user override, a denial.
  const fb = { client_email: 'conf@edge-test.iam.gserviceaccount.com', private_key: keys.rsa2.private_pkcs8 };
  const blob = { accountName: 'devstoreaccount1', storageAccessKey: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==', containerName: 'reports', blobName: 'shared.txt', blob_read: true };
  const withAddons = { ...tenant, clients: [...tenant.clients, { client_id: 'addons', addons: { firebase: fb, azure_blob: blob } }] };
  const pd = new Delegator(withAddons, {
    policy: (ctx) => (ctx.params.deny ? { deny: 'no' } : ctx.apiType === 'azure_blob' ? { addon: { blobName: `u/${ctx.user.sub}` } } : undefined),
  });
  const ask = (api_type, extra = {}) => pd.delegate({ grant_type: GRANT, client_id: 'spa', id_token: idToken, target: 'addons', api_type, ...extra }, { now });
  const ft = ask('firebase');
  const fv = verify(ft.id_token, { key: keys.rsa2.public_spki, issuer: fb.client_email, audience: 'https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit' });
  check(fv.payload.uid === 'auth0|conf' && ft.expires_in === 3600, 'firebase v3 token verifies');
  const sas = ask('azure_blob');
  check(/^sv=2026-10-06&se=[^&]+&sr=b&sp=r&sig=[A-Za-z0-9%]+$/.test(sas.azure_blob_sas) && sas.expires_in === 300, 'azure_blob SAS shape');
  const shared = new Delegator(withAddons).delegate({ grant_type: GRANT, client_id: 'spa', id_token: idToken, target: 'addons', api_type: 'azure_blob' }, { now });
  check(shared.azure_blob_sas.split('&sig=')[0] === sas.azure_blob_sas.split('&sig=')[0] && shared.azure_blob_sas !== sas.azure_blob_sas, 'policy addon override changes the signed blob');
  throwsCode(() => ask('app', { deny: '1' }), DelegationError, 'access_denied', 'policy deny');
  throwsCode(() => ask('azure_sb'), DelegationError, 'invalid_target', 'add-on not enabled');

  // 6. SAML (sap_api, aws): signed in this runtime's wasm; the caller re-verifies them with
  // xml-crypto. The handler's exchange goes through `fetch`, answered here as STS answers.
  const sap = { clientid: 'conf-sap', usernameAttribute: 'email', tokenEndpointUrl: 'https://sap.example/token', servicePassword: 'conf-pass' };
  const aws = { principal: 'arn:aws:iam::123456789012:saml-provider/conf', role: 'arn:aws:iam::123456789012:role/conf' };
  const withSaml = { ...tenant, clients: [...tenant.clients, { client_id: 'addons', addons: { sap_api: sap, aws } }] };
  const sd = new Delegator(withSaml);
  const askSaml = (api_type) => sd.delegate({ grant_type: GRANT, client_id: 'spa', id_token: idToken, target: 'addons', api_type }, { now });
  const awsRes = askSaml('aws');
  check(atob(awsRes.saml_response).startsWith('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'), 'aws: a SAML response');
  const sapRes = askSaml('sap_api');
  check(sapRes.token_request.headers.authorization === `Basic ${btoa('conf-sap:conf-pass')}`, 'sap_api: Basic credentials');
  let sent;
  const sts = async (url, init) => {
    sent = { url, body: init.body };
    return new Response('<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithSAMLResult><Credentials><AccessKeyId>ASIACONF</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithSAMLResult></AssumeRoleWithSAMLResponse>', { status: 200 });
  };
  const hr = await createHandler(withSaml, { fetch: sts })(new Request('https://edge.example/delegation', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: GRANT, client_id: 'spa', id_token: idToken, target: 'addons', api_type: 'aws' }),
  }));
  check(sent?.url === 'https://sts.amazonaws.com/' && sent.body.startsWith('Action=AssumeRoleWithSAML&'), 'handler: the STS request was sent');
  check(hr.status === 200 && (await hr.json()).Credentials.AccessKeyId === 'ASIACONF', 'handler: aws credentials as JSON');

  return { runtime, ok: true, checks, tokens: results, saml: [awsRes.saml_response, sapRes.assertion] };
}
