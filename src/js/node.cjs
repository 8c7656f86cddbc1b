'use strict';
// Node, CommonJS: the wasm-bindgen `nodejs` build loads the module synchronously.
const raw = require('./node/edge_delegation.js');
const { createApi } = require('./api.cjs');

const api = createApi(raw);

/**
 * Serves a `createHandler` handler from `node:http` / `node:https`:
 * `http.createServer(toNodeListener(handler))`. The peer address is passed as the client IP.
 */
function toNodeListener(handler) {
  const MAX_BODY = 64 * 1024;
  return (req, res) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c) => {
      if (tooLarge) return;
      size += c.length;
      chunks.push(c);
      // Keep one byte past the limit (the core then answers 413) and stop buffering.
      if (size > MAX_BODY) tooLarge = true;
    });
    req.on('error', () => res.destroy());
    req.on('end', async () => {
      try {
        const url = `http://${req.headers.host || 'localhost'}${req.url}`;
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
        const headers = new Headers();
        for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
        const request = new Request(url, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks).subarray(0, MAX_BODY + 1) : undefined });
        const response = await handler(request, { ip: req.socket.remoteAddress });
        const out = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(out);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'server_error', error_description: 'the Node adapter failed' }));
      }
    });
  };
}

module.exports = { ...api, toNodeListener };
