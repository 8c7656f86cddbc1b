'use strict';
// Node, CommonJS: the wasm-bindgen `nodejs` build loads the module synchronously.
const raw = require('./node/edge_delegation.js');
const { createApi } = require('./api.cjs');
module.exports = createApi(raw);
