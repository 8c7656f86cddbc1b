#!/usr/bin/env node
// A static server for the demo page: www/ at /, the built package at /pkg/, the TEST-ONLY demo
// tenant at /demo-tenant.json. Loopback only; GET and HEAD only; no directory listings.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

function resolve(pathname) {
  if (pathname === '/demo-tenant.json') return join(root, 'examples', 'demo-tenant.json');
  const [base, rest] = pathname.startsWith('/pkg/') ? ['pkg', pathname.slice(5)] : ['www', pathname.slice(1) || 'index.html'];
  const dir = join(root, base);
  const file = normalize(join(dir, decodeURIComponent(rest)));
  return file.startsWith(dir + sep) ? file : null;
}

/** Starts the server; resolves to { server, url }. */
export function serve(port = 8080, host = '127.0.0.1') {
  const server = createServer(async (req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'GET or HEAD only');
    let file;
    try {
      file = resolve(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad path');
    }
    if (!file) return send(404, 'not found');
    try {
      if (!(await stat(file)).isFile()) return send(404, 'not found');
      send(200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      send(404, 'not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}/` }));
  });
}

// `npm run demo`: build pkg/ if needed, serve, print the URL.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { build } = await import('../src/js/build.mjs');
  build();
  const port = Number(process.env.PORT ?? 8080);
  try {
    const { url } = await serve(port);
    console.log(`edge-delegation demo: open ${url} (Ctrl+C to stop)`);
  } catch (e) {
    console.error(`cannot listen on 127.0.0.1:${port} (${e.code ?? e.message}): set PORT to a free port, e.g. PORT=8090 npm run demo`);
    process.exit(1);
  }
}
