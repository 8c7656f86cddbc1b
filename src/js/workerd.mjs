// Cloudflare Workers (workerd) and bundlers that import `.wasm` as a module (wrangler does;
// esbuild with --loader:.wasm=binary): the module arrives compiled or as bytes and is
// instantiated synchronously. Nothing is compiled from bytes fetched at run time, and no
// randomness is drawn at init (workerd forbids it outside a request).
import { initSync } from './web/edge_delegation.js';
import wasm from './web/edge_delegation_bg.wasm';

initSync({ module: wasm });
export * from './web-api.mjs';
export { default } from './web-api.mjs';
