// Types for edge-delegation. Wire formats and Auth0 configuration keep their native
// (snake_case) names; option objects are camelCase. Dates are Unix seconds.

/** A JSON value, as tokens, configs and responses carry them. */
export type Json = string | number | boolean | null | Json[] | { [member: string]: Json };
/** A JSON object. */
export type JsonObject = { [member: string]: Json };

/** JWS algorithms this library signs and verifies. `none` is never accepted. */
export type Algorithm =
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'EdDSA';

/** Algorithms a client may use for its id_tokens and delegation tokens. */
export type ClientAlgorithm = 'HS256' | 'RS256' | 'ES256' | 'EdDSA';

/** A JSON Web Key (RFC 7517). Private members present only in private keys. */
export interface Jwk {
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  kid?: string;
  alg?: Algorithm;
  use?: 'sig' | 'enc';
  key_ops?: string[];
  /** RSA */ n?: string; e?: string; d?: string; p?: string; q?: string; dp?: string; dq?: string; qi?: string;
  /** EC (P-256) and OKP (Ed25519) */ crv?: 'P-256' | 'Ed25519'; x?: string; y?: string;
  /** oct (a shared secret) */ k?: string;
}

/** A public JWK as published in the tenant's JWKS. */
export interface PublicJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  kid: string;
  use: 'sig';
  alg: 'RS256' | 'ES256' | 'EdDSA';
  n?: string; e?: string; crv?: 'P-256' | 'Ed25519'; x?: string; y?: string;
}

/** A JWK Set. */
export interface Jwks<K = Jwk> { keys: K[] }

/** A Node `KeyObject` (from `node:crypto`): exported to JWK on use. */
export interface NodeKeyObject {
  type: 'public' | 'private' | 'secret';
  export(options?: { format: 'jwk' }): unknown;
}

/** A key: PEM text (SPKI/PKCS#1 public, PKCS#8/PKCS#1/SEC1 private), a JWK, or a Node KeyObject. */
export type KeyInput = string | Jwk | NodeKeyObject;

/** `addons.firebase`: legacy SDK ≤ 2 (`secret`) or SDK v3+ (`client_email` + `private_key`). */
export interface FirebaseSettings {
  /** Legacy: the Firebase database secret (HS256). */
  secret?: string;
  /** v3+: the service account's `client_email` (token `iss`/`sub`). */
  client_email?: string;
  /** v3+: the service account's PKCS#8 PEM (literal `\n` escapes accepted). */
  private_key?: string;
  /** v3+: written as the header `kid` when set. */
  private_key_id?: string;
  /** Default 3600, at most 3600. */
  lifetime_in_seconds?: number;
}

/** `addons.azure_blob`: a service SAS for a blob (`blobName` set) or a container. */
export interface AzureBlobSettings {
  accountName: string;
  /** One of the account's access keys (base64). */
  storageAccessKey: string;
  containerName: string;
  blobName?: string;
  /** Minutes; default 5, at most 43200. */
  expiration?: number;
  /** A stored access policy id (`si`): deleting the policy revokes every SAS naming it. */
  signedIdentifier?: string;
  blob_read?: boolean;
  blob_write?: boolean;
  blob_delete?: boolean;
  container_read?: boolean;
  container_write?: boolean;
  container_delete?: boolean;
  container_list?: boolean;
  /** Extension: the `sv` service version, 2020-12-06 or later; default 2026-10-06. */
  version?: string;
}

/** `addons.azure_sb`: a Service Bus SAS token. */
export interface AzureSbSettings {
  /** The namespace (or a full host name for other clouds). */
  namespace: string;
  sasKeyName: string;
  sasKey: string;
  /** Queue or topic path; default: the whole namespace. */
  entityPath?: string;
  /** Minutes; default 5, at most 43200. */
  expiration?: number;
}

/** `addons.wams`: Azure Mobile Services. */
export interface WamsSettings {
  masterkey: string;
}

/** `addons.layer`: a Layer identity token. */
export interface LayerSettings {
  providerId: string;
  keyId: string;
  /** The Layer authentication key's RSA private PEM. */
  privateKey: string;
  /** The user attribute used as `prn`; default `user_id` (the id_token's `sub`). */
  principal?: string;
  /** Minutes; default 10, at most 1440. */
  expiration?: number;
}

/** `addons.salesforce_api` / `addons.salesforce_sandbox_api`: the JWT bearer assertion. */
export interface SalesforceSettings {
  /** The connected app's consumer key. */
  clientid: string;
  /** A Salesforce username to act as; default: the user's `email`. */
  principal?: string;
  /** A community (Experience Cloud site): `acme` (acme.force.com) or its host name. */
  communityName?: string;
  community_url_section?: string;
}

/** `addons.sap_api`: a SAML 2.0 bearer assertion (RFC 7522) for SAP's OAuth token endpoint. */
export interface SapApiSettings {
  /** The OAuth client id SAP issued (no `:`). */
  clientid: string;
  /** The id_token claim that holds the SAP user name (the assertion's NameID), e.g. `email`. */
  usernameAttribute: string;
  /** SAP's token endpoint: `https://`, or `http://` on loopback only. Also the assertion's Audience and Recipient. */
  tokenEndpointUrl: string;
  /** The OAuth scopes to ask SAP for (space-separated). */
  scope?: string;
  /** The OAuth client's password (HTTP Basic to the token endpoint). */
  servicePassword: string;
  /** NameID format; default `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`. */
  nameIdentifierFormat?: string;
  /** How the assertion is encoded in the form: `base64` (default, as SAP's samples) or `base64url` (RFC 7522). */
  assertionEncoding?: 'base64' | 'base64url';
}

/** `addons.aws`: a SAML response for AWS STS `AssumeRoleWithSAML`. */
export interface AwsSettings {
  /** The IAM SAML identity provider's ARN: `arn:aws:iam::<account>:saml-provider/<name>`. */
  principal: string;
  /** The IAM role's ARN: `arn:aws:iam::<account>:role/<name>`. */
  role: string;
  /** The session's length in seconds: 900 to 43200; default 3600. */
  lifetime_in_seconds?: number | string;
}

/** `addons.<api_type>` settings, in Auth0's names. Other Auth0 add-ons (samlp, wsfed, …) are kept and ignored. */
export interface Addons {
  firebase?: FirebaseSettings;
  azure_blob?: AzureBlobSettings;
  azure_sb?: AzureSbSettings;
  wams?: WamsSettings;
  layer?: LayerSettings;
  salesforce_api?: SalesforceSettings;
  salesforce_sandbox_api?: SalesforceSettings;
  sap_api?: SapApiSettings;
  aws?: AwsSettings;
  [addon: string]: object | undefined;
}

/** A client (application), with Auth0 Management API field names; other Auth0 fields are ignored. */
export interface ClientConfig {
  client_id: string;
  name?: string;
  app_type?: 'spa' | 'native' | 'regular_web' | 'non_interactive' | string;
  /** `none` marks a public client, whose id_tokens are always RS256. */
  token_endpoint_auth_method?: 'none' | 'client_secret_post' | 'client_secret_basic' | string;
  /** HMAC key of HS256 clients (≥ 32 bytes). */
  client_secret?: string;
  jwt_configuration?: {
    /** Default RS256. */
    alg?: ClientAlgorithm;
    /** Default 36000, at most 2592000. */
    lifetime_in_seconds?: number;
    /** The secret is base64url: the HMAC key is its decoded bytes. */
    secret_encoded?: boolean;
  };
  /** Must contain `http://auth0.com/oauth/legacy/grant-type/delegation/id_token` for this client to delegate. */
  grant_types?: string[];
  /** Who may delegate to this client; empty: every client of the tenant. */
  allowed_clients?: string[];
  addons?: Addons;
  /** Any other Auth0 client field (callbacks, logo_uri, ...) is accepted and ignored. */
  [auth0Field: string]: unknown;
}

/** One tenant: issuer, private signing keys (first of each type active), clients. */
export interface TenantConfig {
  issuer: string;
  signing_keys?: Jwk[];
  clients: ClientConfig[];
  description?: string;
  $schema?: string;
}

export type ApiType =
  | 'app' | 'auth0' | 'firebase' | 'azure_blob' | 'azure_sb' | 'wams' | 'layer'
  | 'salesforce_api' | 'salesforce_sandbox_api' | 'sap_api' | 'aws';

/** The Auth0 `/delegation` wire parameters. */
export interface DelegationParams {
  grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' | string;
  client_id: string;
  id_token?: string;
  /** Not supported (stateless): answers `unsupported_grant_type`. */
  refresh_token?: string;
  /** Target client id; default: the caller. */
  target?: string;
  /** `openid` (default), `openid profile email`, legacy `openid name email`, or `passthrough`. */
  scope?: string;
  /** Default `app`. */
  api_type?: ApiType;
  [extra: string]: Json | undefined;
}

/** The response for `app`/`auth0`, `firebase`, `wams` and `layer`: a JWT. */
export interface AppDelegationResponse {
  token_type: 'Bearer';
  expires_in: number;
  id_token: string;
}

/** `azure_blob`: the SAS query string to append to the blob or container URL. */
export interface AzureBlobResponse {
  azure_blob_sas: string;
  expires_in: number;
}

/** `azure_sb`: the `Authorization` value for Service Bus. */
export interface AzureSbResponse {
  azure_sb_sas: string;
  expires_in: number;
}

/** The request the host sends to the provider's token endpoint. */
export interface TokenRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** `salesforce_api` / `salesforce_sandbox_api`: the assertion and the token request carrying it. */
export interface SalesforceResponse {
  assertion: string;
  expires_in: number;
  token_request: TokenRequest;
}

/** `sap_api`: the signed SAML assertion (base64 or base64url) and the token request carrying it.
 * `token_request.headers.authorization` holds the service password: send it, never forward it to a browser. */
export interface SapApiResponse {
  assertion: string;
  expires_in: number;
  token_request: TokenRequest;
}

/** `aws`: the signed SAML response (base64) and the STS `AssumeRoleWithSAML` request carrying it. */
export interface AwsResponse {
  saml_response: string;
  expires_in: number;
  token_request: TokenRequest;
}

/** What the edge handler returns for `aws`: STS's result, with the AWS SDK's field names (as Auth0 returned it). */
export interface AwsCredentialsResponse {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
  AssumedRoleUser?: { AssumedRoleId: string | null; Arn: string | null };
  Subject?: string;
  SubjectType?: string;
  Issuer?: string;
  Audience?: string;
  NameQualifier?: string;
  SourceIdentity?: string;
  PackedPolicySize?: number;
}

export type DelegationResponse =
  AppDelegationResponse | AzureBlobResponse | AzureSbResponse | SalesforceResponse | SapApiResponse | AwsResponse;

/** The response for one `api_type` (absent: `app`). */
export type ResponseFor<A> =
  A extends 'azure_blob' ? AzureBlobResponse
  : A extends 'azure_sb' ? AzureSbResponse
  : A extends 'salesforce_api' | 'salesforce_sandbox_api' ? SalesforceResponse
  : A extends 'sap_api' ? SapApiResponse
  : A extends 'aws' ? AwsResponse
  : AppDelegationResponse;

/** The response for a request's parameters: precise when `api_type` is a literal. */
export type DelegationResponseFor<P> = P extends { api_type: infer A } ? ResponseFor<A>
  : P extends { api_type?: infer A } ? ResponseFor<A>
  : AppDelegationResponse;

export interface DelegateOptions {
  /** The clock: a Date or Unix seconds; default now. */
  now?: Date | number;
  /** The caller's IP, passed to the policy hook as `ctx.ip`. */
  ip?: string;
}

/** What a policy hook sees, after the user's id_token is verified and before minting. */
export interface PolicyContext {
  /** The calling client. */
  client: { client_id: string; name: string | null };
  /** The target client. */
  target: { client_id: string; name: string | null };
  apiType: ApiType;
  /** The requested scope, normalized (`openid …` or `passthrough`). */
  scope: string;
  /** The verified id_token's claims. */
  user: JwtPayload;
  /** The request's extra parameters. */
  params: JsonObject;
  /** The caller's IP, when known. */
  ip: string | null;
}

/** `undefined`: go on; `{ deny }`: `access_denied` with that reason; `{ claims, addon }`: amend this call. */
export type PolicyDecision =
  | undefined
  | null
  | { deny: string }
  | {
      /** Added to JWT formats (app, firebase, wams, layer); never the token's own or reserved claims. */
      claims?: JsonObject;
      /** Overrides members of the target's `addons.<api_type>` for this call only (e.g. a per-user `blobName`). */
      addon?: JsonObject;
    };

/** Auth0 Rules for delegation. An exception becomes `server_error` (the exception is the error's `cause`). */
export type Policy = (ctx: PolicyContext) => PolicyDecision;
/** A policy that may await (for `delegateAsync` and `createHandler`). */
export type AsyncPolicy = (ctx: PolicyContext) => PolicyDecision | Promise<PolicyDecision>;

export interface DelegatorOptions {
  /** Called on every request between verification and minting; `delegate` needs it synchronous. */
  policy?: AsyncPolicy;
}

export declare class Delegator {
  /** Parses and checks the tenant (object or JSON text) once. @throws ConfigError */
  constructor(tenant: TenantConfig | string, options?: DelegatorOptions);
  /** Answers one request; a policy must answer synchronously here. @throws DelegationError */
  delegate<P extends DelegationParams>(params: P, options?: DelegateOptions): DelegationResponseFor<P>;
  delegate(params: URLSearchParams, options?: DelegateOptions): DelegationResponse;
  /** Answers one request, awaiting an asynchronous policy. Rejects with DelegationError. */
  delegateAsync<P extends DelegationParams>(params: P, options?: DelegateOptions): Promise<DelegationResponseFor<P>>;
  delegateAsync(params: URLSearchParams, options?: DelegateOptions): Promise<DelegationResponse>;
  /** The public halves of the tenant's signing keys. */
  publicJwks(): Jwks<PublicJwk>;
}

/** One-shot `new Delegator(tenant).delegate(params, options)`. */
export declare function delegate<P extends DelegationParams>(
  params: P,
  tenant: TenantConfig | string,
  options?: DelegateOptions,
): DelegationResponseFor<P>;
export declare function delegate(
  params: URLSearchParams,
  tenant: TenantConfig | string,
  options?: DelegateOptions,
): DelegationResponse;

/** The JWT claims set. */
export interface JwtPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  azp?: string;
  [claim: string]: Json | undefined;
}

/** The protected header. */
export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
  [parameter: string]: Json | undefined;
}

export interface VerifyOptions {
  /** One public key (PEM, JWK, KeyObject). */
  key?: KeyInput;
  /** Public keys; `kid` selects among them. */
  keys?: Jwk[];
  /** A JWK Set, e.g. the tenant's `/.well-known/jwks.json`. */
  jwks?: Jwks;
  /** A shared secret (HS*), at least 32 bytes. */
  secret?: string | Uint8Array | NodeKeyObject;
  /** Allowed algorithms; default: each key's own family. */
  algorithms?: Algorithm[];
  issuer?: string | string[];
  audience?: string | string[];
  subject?: string;
  /** Expected header `typ` (compared as a media type). */
  typ?: string;
  /** Leeway for exp/nbf/iat in seconds; default 0, at most 300. */
  clockTolerance?: number;
  /** Greatest age in seconds, from `iat` (then required). */
  maxTokenAge?: number;
  requiredClaims?: string[];
  /** The clock; default now. */
  currentDate?: Date;
  /** Return true to refuse the token with ERR_JWT_REVOKED (e.g. a `jti` deny-list). */
  isRevoked?: (payload: JwtPayload) => boolean;
}

export interface VerifyResult {
  header: JwtHeader;
  payload: JwtPayload;
}

/** Verifies a compact JWT. @throws VerifyError */
export declare function verify(token: string, options: VerifyOptions): VerifyResult;

export declare class Verifier {
  /** Parses the keys once. @throws VerifyError */
  constructor(options: VerifyOptions);
  /** @throws VerifyError */
  verify(token: string, options?: { currentDate?: Date }): VerifyResult;
}

export interface SignOptions {
  alg: Algorithm;
  kid?: string;
  typ?: string;
}

/** Mints a JWT. For HS* a string key is the secret; otherwise PEM or JWK. @throws VerifyError */
export declare function sign(
  payload: JsonObject,
  key: KeyInput | Uint8Array,
  options: SignOptions,
): string;

/** A key and sign options parsed once, for many tokens (the key is checked here). */
export declare class Signer {
  /** For HS* a string key is the secret; otherwise PEM or JWK. @throws VerifyError */
  constructor(key: KeyInput | Uint8Array, options: SignOptions);
  /** @throws VerifyError */
  sign(payload: JsonObject): string;
}

/** Reads a JWT without verifying it (display only). @throws VerifyError */
export declare function decode(token: string): VerifyResult;

export type OAuthErrorCode =
  | 'invalid_request' | 'invalid_grant' | 'unauthorized_client' | 'access_denied'
  | 'invalid_target' | 'unsupported_grant_type' | 'server_error';

export declare class DelegationError extends Error {
  readonly name: 'DelegationError';
  readonly code: OAuthErrorCode;
  readonly description: string;
  /** The HTTP status the Auth0 endpoint answered with. */
  readonly status: 400 | 401 | 403 | 500;
  /** Auth0's error body. */
  toJSON(): { error: OAuthErrorCode; error_description: string };
}

export type VerifyErrorCode =
  | 'ERR_JWS_INVALID' | 'ERR_JWT_INVALID' | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' | 'ERR_JWT_EXPIRED' | 'ERR_JWT_CLAIM_VALIDATION_FAILED'
  | 'ERR_JWKS_NO_MATCHING_KEY' | 'ERR_JOSE_NOT_SUPPORTED' | 'ERR_KEY_INVALID' | 'ERR_JWT_REVOKED'
  | 'ERR_INVALID_ARGUMENT';

export declare class VerifyError extends Error {
  readonly name: 'VerifyError';
  readonly code: VerifyErrorCode;
  /** For claim failures: the claim (`exp`, `aud`, …, or `typ`). */
  readonly claim?: string;
  readonly reason?: 'missing' | 'invalid' | 'check_failed';
}

export declare class ConfigError extends Error {
  readonly name: 'ConfigError';
  readonly code: 'ERR_CONFIG_INVALID';
  /** JSON path of the offending member, e.g. `clients[2].jwt_configuration.alg`. */
  readonly path: string;
}

/** Options of `createHandler`. */
export interface HandlerOptions {
  /** Origins allowed to call from a browser (exact), or `'*'`. Default: none. */
  corsOrigins?: string[];
  /** A client-IP header set by a proxy you trust; otherwise the peer address counts. */
  trustedIpHeader?: 'cf-connecting-ip' | 'x-forwarded-for' | 'x-real-ip';
  /** Auth0's default: 10 requests per 60 s per user id per IP; `false` turns it off. */
  rateLimit?: false | { limit?: number; windowSeconds?: number };
  /** Where the counters live; default: in memory, per isolate/process. */
  rateLimitStore?: RateLimitStore;
  /** Called (and awaited) after the rate limit, before minting; `ctx.ip` is the client IP. */
  policy?: AsyncPolicy;
  /** Told about host-side failures (a policy that threw, a failing rate-limit store, an unreachable provider); never about clients' errors. */
  onError?: (error: unknown) => void;
  /** `sap_api` and `aws`: the handler sends the token request itself with this (default: the global `fetch`) and returns the provider's answer. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** The STS endpoint for `aws`; default `https://sts.amazonaws.com/` (a regional one, e.g. `https://sts.eu-west-1.amazonaws.com/`). */
  stsEndpoint?: string;
}

/** A rate-limit store: count one hit under `key` in the fixed window that contains `now`. */
export interface RateLimitStore {
  hit(key: string, now: number, windowSeconds: number):
    { count: number; reset: number } | Promise<{ count: number; reset: number }>;
}

/** Counters in memory (per Worker isolate or Node process). */
export declare class MemoryRateLimitStore implements RateLimitStore {
  hit(key: string, now: number, windowSeconds: number): { count: number; reset: number };
}

/** Per-request context from the host: the peer address, when it knows it. */
export interface HandlerContext {
  ip?: string;
}

/** The edge endpoint: POST /delegation, POST /oauth/token (RFC 8693), GET /.well-known/jwks.json. */
export type DelegationHandler = (request: Request, context?: HandlerContext) => Promise<Response>;

/** Builds the endpoint (Fetch API: Workers, Deno, Bun, Node 18+). @throws ConfigError */
export declare function createHandler(tenant: TenantConfig | string, options?: HandlerOptions): DelegationHandler;

/** Minimal shapes of node:http's request and response, as `toNodeListener` uses them. */
export interface NodeIncomingMessage {
  method?: string;
  url?: string;
  headers: { host?: string };
  rawHeaders: string[];
  socket: { remoteAddress?: string };
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'error', listener: () => void): unknown;
}
export interface NodeServerResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: Uint8Array | string): unknown;
  destroy(): unknown;
}

/** Node only: `http.createServer(toNodeListener(createHandler(tenant)))`. */
export declare function toNodeListener(handler: DelegationHandler): (req: NodeIncomingMessage, res: NodeServerResponse) => void;

declare const api: {
  Delegator: typeof Delegator;
  delegate: typeof delegate;
  Verifier: typeof Verifier;
  verify: typeof verify;
  sign: typeof sign;
  Signer: typeof Signer;
  decode: typeof decode;
  createHandler: typeof createHandler;
  MemoryRateLimitStore: typeof MemoryRateLimitStore;
  toNodeListener: typeof toNodeListener;
  DelegationError: typeof DelegationError;
  VerifyError: typeof VerifyError;
  ConfigError: typeof ConfigError;
};
export default api;
