// The API over wasm-bindgen's `web` build, shared by the browser, workerd and Deno entries;
// each entry instantiates the module its own way before any call reaches it.
import * as raw from './web/edge_delegation.js';
import { createApi } from './api.mjs';

const api = createApi(raw);
export const {
  Delegator, delegate, Verifier, verify, sign, Signer, decode, createHandler, MemoryRateLimitStore,
  DelegationError, VerifyError, ConfigError,
} = api;
export default api;
