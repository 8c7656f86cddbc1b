// Deno: the wasm file next to this one, read and instantiated synchronously at import.
import { initSync } from './web/edge_delegation.js';

initSync({ module: Deno.readFileSync(new URL('./web/edge_delegation_bg.wasm', import.meta.url)) });
export * from './web-api.mjs';
export { default } from './web-api.mjs';
