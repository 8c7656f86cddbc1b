#!/usr/bin/env node
// The edge handler in a plain Node server: POST /delegation, POST /oauth/token (RFC 8693) and
// GET /.well-known/jwks.json on http://127.0.0.1:PORT. `npm run server` builds pkg/ first.
//   TENANT_FILE  tenant JSON (default: the TEST-ONLY demo tenant next to this file)
//   PORT         default 8787 (0 picks a free port)
//   CORS_ORIGINS comma-separated browser origins allowed to call it
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHandler, toNodeListener } from 'edge-delegation';

const tenant = readFileSync(process.env.TENANT_FILE ?? new URL('./demo-tenant.json', import.meta.url), 'utf8');
const handler = createHandler(tenant, {
  corsOrigins: (process.env.CORS_ORIGINS ?? '').split(',').filter(Boolean),
});
const server = createServer(toNodeListener(handler));
// Requests Node's HTTP parser rejects (a header with CR/LF, a malformed request line) never
// reach the handler; answer them in JSON too.
server.on('clientError', (err, socket) => {
  if (!socket.writable) return socket.destroy();
  const body = JSON.stringify({ error: 'invalid_request', error_description: `malformed HTTP request (${err.code ?? 'parse error'})` });
  socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
});
server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => {
  console.log(`edge-delegation listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
