// Browsers, bundlers and other ESM runtimes: the wasm-bindgen `web` build, fetched next to
// this file and instantiated once, before the exports are used.
import init from './web/edge_delegation.js';

await init({ module_or_path: new URL('./web/edge_delegation_bg.wasm', import.meta.url) });
export * from './web-api.mjs';
export { default } from './web-api.mjs';
