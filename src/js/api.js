// The JavaScript half of the facade: error classes, argument conversion (URLSearchParams,
// Dates, Uint8Array secrets, Node KeyObjects) and the public classes. Written once, as a
// plain script; the build appends `export` (ESM) or `module.exports` (CommonJS).
// No delegation or verification logic lives here: that is the Rust core's.

function createApi(raw) {
  'use strict';

  /** An OAuth error from `delegate`: `code`, `description`, `status`; `toJSON()` is Auth0's body. */
  class DelegationError extends Error {
    constructor(code, description, status) {
      super(description);
      this.name = 'DelegationError';
      this.code = code;
      this.description = description;
      this.status = status;
    }
    toJSON() {
      return { error: this.code, error_description: this.description };
    }
  }

  /** A JOSE failure (verify, sign, decode, keys) with jose's stable `code`. */
  class VerifyError extends Error {
    constructor(code, message, claim, reason) {
      super(message);
      this.name = 'VerifyError';
      this.code = code;
      if (claim !== undefined) this.claim = claim;
      if (reason !== undefined) this.reason = reason;
    }
  }

  /** A tenant configuration that cannot be used; `path` names the member. */
  class ConfigError extends Error {
    constructor(message, path) {
      super(message);
      this.name = 'ConfigError';
      this.code = 'ERR_CONFIG_INVALID';
      this.path = path;
    }
  }

  // Rust errors arrive as plain {kind, code, message, ...} objects: give them their class.
  function call(fn) {
    try {
      return fn();
    } catch (e) {
      if (e && typeof e === 'object' && !(e instanceof Error) && typeof e.kind === 'string') {
        if (e.kind === 'delegation') throw new DelegationError(e.code, e.message, e.status);
        if (e.kind === 'config') throw new ConfigError(e.message, e.path);
        throw new VerifyError(e.code, e.message, e.claim, e.reason);
      }
      throw e;
    }
  }

  const invalidArgument = (message) => new VerifyError('ERR_INVALID_ARGUMENT', message);

  // A token to verify, a payload to sign and a delegation request cross into wasm by
  // TextEncoder.encodeInto, native, straight into the verifier's, signer's or delegator's input
  // room (InputRoom in wasm.rs), where a string argument would be copied by a JS loop per
  // character. Longer texts take the string path (a token that long is refused there the same).
  const encoder = new TextEncoder();
  const IN_PLACE_MAX = 16 * 1024;
  let memory;
  let memoryBytes = new Uint8Array(0);
  // The last room's view: a verifier or signer in a loop asks for the same room at the same
  // address, so the view is made once (room sizes are rounded up to 1 KB for that).
  let view = memoryBytes;
  let viewAt = -1;
  /** `asString(text)`, or `inRoom(byteCount)` after writing `text` at `inner.input(…)`. */
  function crossIn(inner, text, asString, inRoom) {
    if (text.length > IN_PLACE_MAX) return asString(text);
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const room = (((3 * text.length) >> 10) + 1) << 10;
    const at = inner.input(room);
    memory ??= raw.module_memory();
    // Growing the memory (input() may) detaches the old buffer, and a detached view has
    // length 0 (reading `memory.buffer` each call would cost a call into the engine).
    if (memoryBytes.length === 0) {
      memoryBytes = new Uint8Array(memory.buffer);
      viewAt = -1;
    }
    if (at !== viewAt || view.length !== room) {
      view = memoryBytes.subarray(at, at + room);
      viewAt = at;
    }
    return inRoom(encoder.encodeInto(text, view).written);
  }
  const tokenText = (token) => {
    if (typeof token !== 'string') throw invalidArgument('the token must be a string (a compact JWT)');
    return token;
  };

  // Request parameters that are all strings (a form, the usual JSON body) cross as
  // `name\0value\0…` (Form::Pairs in wasm.rs): no escaping here, no JSON parser there. Anything
  // else takes JSON text: a value of another type, a NUL or a lone surrogate (encodeInto would
  // replace it; JSON text keeps it for wasm to refuse), a `toJSON`, or text past the room's size.
  const wellFormed = typeof ''.isWellFormed === 'function';
  function pairsText(p) {
    if (!wellFormed || typeof p !== 'object' || p === null || Array.isArray(p) || typeof p.toJSON === 'function') return undefined;
    let text = '';
    for (const name of Object.keys(p)) {
      const value = p[name];
      if (typeof value !== 'string' || !name.isWellFormed() || !value.isWellFormed() || name.includes('\0') || value.includes('\0')) return undefined;
      text += name + '\0' + value + '\0';
    }
    return text.length > IN_PLACE_MAX ? undefined : text;
  }

  // Values cross into wasm as JSON text, parsed there strictly and depth-bounded (see wasm.rs).
  function json(value, what, onError) {
    let text;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      throw onError(`${what} cannot be serialized as JSON: ${e.message}`);
    }
    return text === undefined ? 'null' : text;
  }

  // A JWT format's `{token_type: 'Bearer', expires_in, id_token}` leaves wasm as
  // `[expires_in, id_token]` (`response` in wasm.rs); every other body as itself.
  const response = (r) => (Array.isArray(r) ? { token_type: 'Bearer', expires_in: r[0], id_token: r[1] } : r);

  function seconds(value, name, onError) {
    if (value === undefined || value === null) return Date.now() / 1000;
    if (value instanceof Date) {
      const t = value.getTime();
      if (Number.isFinite(t)) return t / 1000;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      return value;
    }
    throw onError(`${name} must be a Date or Unix seconds`);
  }

  function params(p) {
    if (typeof URLSearchParams !== 'undefined' && p instanceof URLSearchParams) {
      const out = {};
      for (const [k, v] of p) {
        if (Object.prototype.hasOwnProperty.call(out, k)) {
          throw new DelegationError('invalid_request', `parameter ${k} is repeated: send it once`, 400);
        }
        out[k] = v;
      }
      return out;
    }
    return p;
  }

  // Node KeyObjects are exported to JWK (or bytes, for secrets); CryptoKeys cannot be read
  // synchronously, so they get a clear error instead of a confusing one.
  function keyValue(key) {
    if (key && typeof key === 'object') {
      if (typeof key.export === 'function' && typeof key.type === 'string') {
        return key.type === 'secret' ? new Uint8Array(key.export()) : key.export({ format: 'jwk' });
      }
      if (typeof key.algorithm === 'object' && typeof key.usages === 'object') {
        throw new VerifyError('ERR_KEY_INVALID', 'a CryptoKey cannot be read synchronously: pass its JWK (await crypto.subtle.exportKey("jwk", key)) or PEM');
      }
    }
    return key;
  }

  function secretBytes(secret) {
    if (secret === undefined || secret === null) return undefined;
    secret = keyValue(secret);
    if (typeof secret === 'string') return new TextEncoder().encode(secret);
    if (secret instanceof Uint8Array) return secret;
    if (secret instanceof ArrayBuffer) return new Uint8Array(secret);
    throw invalidArgument('`secret` must be a string, a Uint8Array or a secret KeyObject');
  }

  const POLICY_THREW = 'the policy hook threw an exception; it is this error\'s cause on the server and was not sent to the client';

  // What a policy hook returned, as JSON text for the core to check.
  function decisionText(result) {
    try {
      return JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      throw new DelegationError('server_error', `the policy hook returned a value that cannot be serialized as JSON: ${e.message}`, 500);
    }
  }

  function isThenable(v) {
    return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
  }

  // `finishThrown()` asks the core for its error for a hook that threw; the exception is kept
  // as the error's `cause` (never sent).
  function policyFailure(finishThrown, cause) {
    try {
      finishThrown();
    } catch (e) {
      if (e instanceof DelegationError) Object.defineProperty(e, 'cause', { value: cause, enumerable: false, configurable: true });
      throw e;
    }
    throw new DelegationError('server_error', POLICY_THREW, 500);
  }

  class Delegator {
    #inner;
    #policy;
    /** Parses and checks the tenant once; throws ConfigError. Options: `{ policy }`. */
    constructor(tenant, options = {}) {
      if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ConfigError('Delegator options must be an object', '');
      for (const name of Object.keys(options)) {
        if (name !== 'policy') throw new ConfigError(`unknown Delegator option "${name}"; the options are: policy`, name);
      }
      if (options.policy !== undefined && typeof options.policy !== 'function') {
        throw new ConfigError('`policy` must be a function (ctx) => undefined | { deny } | { claims, addon }', 'policy');
      }
      this.#policy = options.policy;
      const text = typeof tenant === 'string' ? tenant : json(tenant, 'the tenant configuration', (m) => new ConfigError(m, ''));
      this.#inner = call(() => new raw.WasmDelegator(text));
    }

    #begin(request, opts) {
      const o = opts ?? {};
      const bad = (m) => new DelegationError('invalid_request', m, 400);
      const now = seconds(o.now, '`now`', bad);
      if (o.ip !== undefined && typeof o.ip !== 'string') throw bad('`ip` must be a string');
      const p = params(request);
      const pairs = pairsText(p);
      const text = pairs ?? json(p, 'the request parameters', bad);
      return { now, text, pairs: pairs !== undefined, ip: o.ip };
    }

    // The request's text (pairs or JSON, see pairsText) into wasm (see crossIn): answered at
    // once, or authorized for the policy hook (`{id, context}`).
    #direct({ text, pairs, now }) {
      const inner = this.#inner;
      return response(call(() => crossIn(inner, text, (t) => inner.delegate(t, now), (n) => inner.delegate_input(n, now, pairs))));
    }

    #authorize({ text, pairs, now, ip }) {
      const inner = this.#inner;
      return call(() => crossIn(inner, text, (t) => inner.authorize(t, now, ip), (n) => inner.authorize_input(n, now, ip, pairs)));
    }

    // Mints request `id` after its policy hook returned `outcome.result` or threw
    // `outcome.thrown`; the pending request is released either way.
    #answer(id, now, outcome) {
      try {
        if ('thrown' in outcome) policyFailure(() => call(() => this.#inner.finish(id, undefined, now)), outcome.thrown);
        return response(call(() => this.#inner.finish(id, decisionText(outcome.result), now)));
      } finally {
        this.#inner.release(id);
      }
    }

    /**
     * Answers one /delegation request; throws DelegationError. A policy hook runs here,
     * synchronously: one that returns a Promise needs `delegateAsync`.
     */
    delegate(request, opts = {}) {
      const args = this.#begin(request, opts);
      if (!this.#policy) return this.#direct(args);
      const { id, context } = this.#authorize(args);
      let outcome;
      try {
        outcome = { result: this.#policy(context) };
      } catch (e) {
        outcome = { thrown: e };
      }
      if (isThenable(outcome.result)) {
        this.#inner.release(id);
        outcome.result.then(undefined, () => {}); // its rejection is answered here, not left unhandled
        throw new DelegationError('server_error', 'the policy hook returned a Promise: use await delegator.delegateAsync(...) for asynchronous policies', 500);
      }
      return this.#answer(id, args.now, outcome);
    }

    /** `delegate` that awaits an asynchronous policy hook. */
    async delegateAsync(request, opts = {}) {
      const args = this.#begin(request, opts);
      if (!this.#policy) return this.#direct(args);
      const { id, context } = this.#authorize(args);
      let outcome;
      try {
        outcome = { result: await this.#policy(context) };
      } catch (e) {
        outcome = { thrown: e };
      }
      return this.#answer(id, args.now, outcome);
    }

    /** The public halves of the tenant's signing keys: `{ keys: [...] }`. */
    publicJwks() {
      return call(() => this.#inner.publicJwks());
    }
  }

  function delegate(request, tenant, opts) {
    return new Delegator(tenant).delegate(request, opts);
  }

  class Verifier {
    #inner;
    #isRevoked;
    #currentDate;
    /** Parses the keys and options once; throws VerifyError. */
    constructor(options) {
      if (options === null || typeof options !== 'object' || Array.isArray(options)) {
        throw invalidArgument('verify options must be an object with key, keys, jwks or secret');
      }
      const { secret, currentDate, isRevoked, key, ...rest } = options;
      if (isRevoked !== undefined && typeof isRevoked !== 'function') throw invalidArgument('`isRevoked` must be a function');
      const bytes = secretBytes(secret);
      const k = keyValue(key);
      if (k instanceof Uint8Array) throw invalidArgument('a Uint8Array key is a secret: pass it as `secret`');
      if (k !== undefined) rest.key = k;
      const text = json(rest, 'the verify options', invalidArgument);
      this.#inner = call(() => new raw.WasmVerifier(text, bytes));
      this.#isRevoked = isRevoked;
      this.#currentDate = currentDate;
    }
    /** Verifies a compact JWT; returns `{ header, payload }`; throws VerifyError. */
    verify(token, opts = {}) {
      const o = opts ?? {};
      const now = seconds(o.currentDate ?? this.#currentDate, '`currentDate`', invalidArgument);
      const [inner, text, hook] = [this.#inner, tokenText(token), this.#isRevoked];
      return JSON.parse(call(() => crossIn(inner, text, (t) => inner.verify(t, now, hook), (n) => inner.verify_input(n, now, hook))));
    }
  }

  function verify(token, options) {
    return new Verifier(options).verify(token);
  }

  // A signing key as the facade passes it: JSON text, or the bytes of a Uint8Array secret.
  function signingKey(key) {
    const k = keyValue(key);
    const bytes = k instanceof Uint8Array || k instanceof ArrayBuffer ? new Uint8Array(k) : undefined;
    return { bytes, keyText: bytes ? 'null' : json(k, 'the key', invalidArgument) };
  }

  function sign(payload, key, options) {
    const { bytes, keyText } = signingKey(key);
    const payloadText = json(payload, 'the payload', invalidArgument);
    const optionsText = json(options, 'the sign options', invalidArgument);
    return call(() => raw.sign(payloadText, keyText, bytes, optionsText));
  }

  class Signer {
    #inner;
    /** Parses the key and `{ alg, kid?, typ? }` once; throws VerifyError. */
    constructor(key, options) {
      const { bytes, keyText } = signingKey(key);
      const optionsText = json(options, 'the sign options', invalidArgument);
      this.#inner = call(() => new raw.WasmSigner(keyText, bytes, optionsText));
    }
    /** Mints a JWT over `payload`; throws VerifyError. */
    sign(payload) {
      const [inner, text] = [this.#inner, json(payload, 'the payload', invalidArgument)];
      return call(() => crossIn(inner, text, (t) => inner.sign(t), (n) => inner.sign_input(n)));
    }
  }

  function decode(token) {
    return JSON.parse(call(() => raw.decode(tokenText(token))));
  }

  // ---------------------------------------------------------------------------------------
  // The edge handler: the core decides; this moves bytes and keeps the rate-limit counters.

  const MAX_BODY = 64 * 1024;
  // How long the edge handler waits for a provider's token endpoint (sap_api, aws).
  const EXCHANGE_TIMEOUT_MS = 10_000;

  /** Rate-limit counters in memory, per isolate/process: fixed windows per key. */
  // At most MAX_KEYS counters. A new key at the cap drops the expired windows and, if that frees
  // too little, the oldest keys (a Map iterates in insertion order) down to 90% of the cap: the
  // next sweep is then 1,000 new keys away, so a flood of distinct keys (one per client IP)
  // costs O(1) per request on average and bounded memory, where scanning at every new key past
  // the cap cost a 10,000-entry walk per request. A dropped key starts a fresh window.
  const MAX_KEYS = 10000;
  class MemoryRateLimitStore {
    #hits = new Map();
    hit(key, now, windowSeconds) {
      let entry = this.#hits.get(key);
      if (!entry || now >= entry.reset) {
        if (!entry && this.#hits.size >= MAX_KEYS) this.#sweep(now);
        entry = { count: 0, reset: now + windowSeconds };
        this.#hits.set(key, entry);
      }
      entry.count += 1;
      return { count: entry.count, reset: entry.reset };
    }
    #sweep(now) {
      for (const [k, e] of this.#hits) if (now >= e.reset) this.#hits.delete(k);
      let excess = this.#hits.size - Math.floor(MAX_KEYS * 0.9);
      for (const k of this.#hits.keys()) {
        if (excess-- <= 0) break;
        this.#hits.delete(k);
      }
    }
  }

  // Reads at most MAX_BODY + 1 bytes: enough for the core to answer 413, never more.
  async function readBody(request) {
    if (!request.body) return new Uint8Array(0);
    const reader = request.body.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
      if (size > MAX_BODY) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  function toResponse(r) {
    const empty = r.status === 204 || r.body === '';
    return new Response(empty ? null : r.body, { status: r.status, headers: r.headers });
  }

  /**
   * `(request, { ip }?) => Promise<Response>` for POST /delegation, POST /oauth/token (RFC 8693)
   * and GET /.well-known/jwks.json. Throws ConfigError on a bad tenant or options.
   */
  function createHandler(tenant, options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ConfigError('handler options must be an object', '');
    }
    const { rateLimitStore, policy, onError, fetch: fetchOption, ...rest } = options;
    if (fetchOption !== undefined && typeof fetchOption !== 'function') throw new ConfigError('`fetch` must be a function with the signature of the global fetch', 'fetch');
    const store = rateLimitStore ?? new MemoryRateLimitStore();
    if (typeof store.hit !== 'function') throw new ConfigError('rateLimitStore must have a hit(key, now, windowSeconds) method', 'rateLimitStore');
    if (policy !== undefined && typeof policy !== 'function') throw new ConfigError('`policy` must be a function (ctx) => undefined | { deny } | { claims, addon }', 'policy');
    if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('`onError` must be a function (error) => void', 'onError');
    const report = (e) => {
      try {
        onError?.(e);
      } catch {
        // A failing reporter must not turn one error into two.
      }
    };
    const tenantText = typeof tenant === 'string' ? tenant : json(tenant, 'the tenant configuration', (m) => new ConfigError(m, ''));
    const optionsText = json(rest, 'the handler options', (m) => new ConfigError(m, ''));
    const inner = call(() => new raw.WasmHandler(tenantText, optionsText));

    return async function handle(request, context = {}) {
      const url = new URL(request.url);
      const headers = [];
      request.headers.forEach((value, name) => headers.push([name, value]));
      const body = await readBody(request);
      const ip = typeof context?.ip === 'string' ? context.ip : undefined;
      const step = inner.begin(request.method, url.pathname, JSON.stringify(headers), body, ip, Date.now() / 1000);
      if (step.response) return toResponse(step.response);
      let hit = { count: 0, reset: 0 };
      if (step.key) {
        try {
          hit = await store.hit(step.key, Math.floor(Date.now() / 1000), inner.rateWindow);
        } catch (e) {
          report(e);
          return toResponse(inner.abort(step.id));
        }
      }
      const count = Number(hit.count) || 0;
      const reset = Number(hit.reset) || 0;
      let decision = 'null';
      if (policy) {
        const admitted = inner.admit(step.id, count, reset, Date.now() / 1000);
        if (admitted.response) return toResponse(admitted.response);
        try {
          decision = decisionText(await policy(admitted.context));
        } catch (e) {
          report(e);
          decision = undefined;
        }
      }
      const done = inner.finish(step.id, count, reset, decision, Date.now() / 1000);
      return toResponse(done.outbound ? await exchange(done) : done);
    };

    // sap_api and aws: send the token request the core built, and let the core read the answer.
    async function exchange(done) {
      const { apiType, url, method, headers, body } = done.outbound;
      let status = 0;
      let text = '';
      try {
        const send = fetchOption ?? globalThis.fetch;
        const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(EXCHANGE_TIMEOUT_MS) : undefined;
        // No redirects: the request carries credentials, and token endpoints do not redirect.
        const res = await send(url, { method, headers: Object.fromEntries(headers), body, redirect: 'manual', signal });
        status = res.status;
        text = await res.text();
      } catch (e) {
        report(e);
        status = 0;
      }
      return inner.answer(apiType, JSON.stringify(done.headers), status, text);
    }
  }

  return {
    Delegator, delegate, Verifier, verify, sign, Signer, decode, createHandler, MemoryRateLimitStore,
    DelegationError, VerifyError, ConfigError,
  };
}
