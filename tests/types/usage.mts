// Compiled by tests/js/types.test.mjs with `tsc --strict`: correct use type-checks, and every
// line marked as an expected error is a misuse the declarations must reject.
import {
  Delegator, delegate, Verifier, verify, sign, Signer, decode, DelegationError, VerifyError, ConfigError,
  createHandler, MemoryRateLimitStore, toNodeListener, type RateLimitStore,
  type TenantConfig, type DelegationParams, type VerifyResult, type Jwks, type PublicJwk,
  type PolicyContext, type DelegationResponse,
} from 'edge-delegation';

const tenant: TenantConfig = {
  issuer: 'https://example.eu.auth0.com/',
  signing_keys: [{ kty: 'RSA', kid: 'k1', n: 'n', e: 'AQAB', d: 'd' }],
  clients: [{ client_id: 'spa', app_type: 'spa', jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 600 }, callbacks: ['x'] }],
};
const d = new Delegator(tenant);
const params = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: 'spa', id_token: 't', api_type: 'app' } satisfies DelegationParams;
const res = d.delegate(params, { now: new Date() });
const token: string = res.id_token;
const seconds: number = res.expires_in;
const jwks: Jwks<PublicJwk> = d.publicJwks();
delegate(new URLSearchParams(), JSON.stringify(tenant), { now: 1 });

const out: VerifyResult = verify(token, { jwks, audience: ['a', 'b'], algorithms: ['RS256'], clockTolerance: 5, isRevoked: (p) => p.jti === 'x' });
const sub: string | undefined = out.payload.sub;
new Verifier({ secret: new Uint8Array(32) }).verify(token, { currentDate: new Date() });
sign({ sub: 'u', n: [1, { a: null }] }, 'secret', { alg: 'HS256', kid: 'k' });
const signed: string = new Signer({ kty: 'RSA', n: 'n', e: 'AQAB', d: 'd' }, { alg: 'PS256' }).sign({ sub: 'u' });
void signed;
decode(token).header.alg.toUpperCase();

try {
  d.delegate(params);
} catch (e) {
  if (e instanceof DelegationError) {
    const body: { error: string; error_description: string } = e.toJSON();
    const status: 400 | 401 | 403 | 500 = e.status;
    void body, status;
  } else if (e instanceof VerifyError) {
    const reason: 'missing' | 'invalid' | 'check_failed' | undefined = e.reason;
    void reason;
  } else if (e instanceof ConfigError) {
    const path: string = e.path;
    void path;
  }
}
void seconds, sub;

// Add-ons: the response type follows a literal api_type; the policy hook is typed.
const base = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: 'spa', id_token: 't', target: 'files' } as const;
const sas: string = d.delegate({ ...base, api_type: 'azure_blob' }).azure_blob_sas;
const sb: string = d.delegate({ ...base, api_type: 'azure_sb' }).azure_sb_sas;
const sf = d.delegate({ ...base, api_type: 'salesforce_api' });
const init: RequestInit = { method: sf.token_request.method, headers: sf.token_request.headers, body: sf.token_request.body };
const fb: string = d.delegate({ ...base, api_type: 'firebase' }).id_token;
const samlSap: string = d.delegate({ ...base, api_type: 'sap_api' }).token_request.headers.authorization;
const samlAws: string = d.delegate({ ...base, api_type: 'aws' }).saml_response;
createHandler(tenant, { stsEndpoint: 'https://sts.eu-west-1.amazonaws.com/', fetch: (url, init) => fetch(url, init) });
new Delegator({ issuer: 'i', clients: [{ client_id: 'c', addons: { aws: { principal: 'p', role: 'r', lifetime_in_seconds: 3600 }, sap_api: { clientid: 'c', usernameAttribute: 'email', tokenEndpointUrl: 'https://sap.example/token', servicePassword: 's', assertionEncoding: 'base64url' } } }] });
const plain: string = d.delegate({ ...base }).id_token;
const any: DelegationResponse = d.delegate(new URLSearchParams());
const withPolicy = new Delegator(tenant, {
  policy(ctx: PolicyContext) {
    if (ctx.user.sub === 'blocked') return { deny: 'blocked' };
    if (ctx.apiType === 'azure_blob') return { addon: { blobName: `users/${ctx.user.sub}` } };
    return { claims: { ip: ctx.ip, plan: 'gold' } };
  },
});
const later: Promise<string> = withPolicy.delegateAsync({ ...base, api_type: 'layer', nonce: 'n' }).then((r) => r.id_token);
createHandler(tenant, { policy: async (ctx) => (ctx.params.x ? undefined : { deny: 'x' }), onError: (e) => console.error(e) });
new Delegator(tenant, { addons: [] as never as undefined } as { policy?: undefined });
void sas, sb, init, fb, plain, any, later, samlSap, samlAws;
// @ts-expect-error: an aws response carries saml_response, not assertion
d.delegate({ ...base, api_type: 'aws' }).assertion;
// @ts-expect-error: assertionEncoding is base64 or base64url
new Delegator({ issuer: 'i', clients: [{ client_id: 'c', addons: { sap_api: { clientid: 'c', usernameAttribute: 'e', tokenEndpointUrl: 'u', servicePassword: 's', assertionEncoding: 'hex' } } }] });
// @ts-expect-error: a SAS response has no id_token
d.delegate({ ...base, api_type: 'azure_blob' }).id_token;
// @ts-expect-error: a policy returns a decision, not a boolean
new Delegator(tenant, { policy: () => true });
// @ts-expect-error: add-on settings are typed
new Delegator({ issuer: 'i', clients: [{ client_id: 'c', addons: { azure_blob: { accountName: 1 } } }] });

const kv: RateLimitStore = { hit: async (key, t, w) => ({ count: key.length, reset: t + w }) };
const handler = createHandler(tenant, { corsOrigins: ['https://app.example'], rateLimit: { limit: 5 }, rateLimitStore: kv });
const pending: Promise<Response> = handler(new Request('https://edge.example/delegation'), { ip: '203.0.113.1' });
createHandler(JSON.stringify(tenant), { rateLimit: false, rateLimitStore: new MemoryRateLimitStore() });
const listener = toNodeListener(handler);
void pending, listener;

// @ts-expect-error: only client-IP headers can be trusted
createHandler(tenant, { trustedIpHeader: 'host' });
// @ts-expect-error: algorithms are a closed list
verify(token, { secret: 's', algorithms: ['none'] });
// @ts-expect-error: client_id is required
d.delegate({ grant_type: 'x', id_token: 't' });
// @ts-expect-error: jwt_configuration.alg is one of the client algorithms
new Delegator({ issuer: 'i', clients: [{ client_id: 'c', jwt_configuration: { alg: 'HS257' } }] });
// @ts-expect-error: sign needs an alg
sign({}, 'secret', {});
// @ts-expect-error: the response is typed
res.access_token.length;
