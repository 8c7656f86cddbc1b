// edge-delegation as a Cloudflare Worker: POST /delegation, POST /oauth/token (RFC 8693) and
// GET /.well-known/jwks.json. The tenant JSON comes from a secret binding (TENANT_JSON);
// CORS_ORIGINS is a comma-separated var. The handler is built on the first request (never at
// module init: a Worker may not draw randomness there) and kept for the isolate's life.
import { createHandler } from 'edge-delegation';

let handler;
let source;

export default {
  async fetch(request, env) {
    if (!handler || source !== env.TENANT_JSON) {
      handler = createHandler(env.TENANT_JSON, {
        trustedIpHeader: 'cf-connecting-ip',
        corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      });
      source = env.TENANT_JSON;
    }
    return handler(request);
  },
};
