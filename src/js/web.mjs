// Browsers, bundlers and other ESM runtimes: the wasm-bindgen `web` build, fetched next to
// this file and instantiated once, before the exports are used.
import init, * as raw from './web/edge_delegation.js';
import { createApi } from './api.mjs';

await init({ module_or_path: new URL('./web/edge_delegation_bg.wasm', import.meta.url) });
const api = createApi(raw);
export const {
  Delegator, delegate, Verifier, verify, sign, decode, createHandler, MemoryRateLimitStore,
  DelegationError, VerifyError, ConfigError,
} = api;
export default api;
