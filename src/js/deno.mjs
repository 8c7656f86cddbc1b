// Deno: the wasm file next to this one, read and instantiated synchronously at import.
import { initSync } from './web/edge_delegation.js';
import * as raw from './web/edge_delegation.js';
import { createApi } from './api.mjs';

initSync({ module: Deno.readFileSync(new URL('./web/edge_delegation_bg.wasm', import.meta.url)) });
const api = createApi(raw);
export const {
  Delegator, delegate, Verifier, verify, sign, decode, createHandler, MemoryRateLimitStore,
  DelegationError, VerifyError, ConfigError,
} = api;
export default api;
