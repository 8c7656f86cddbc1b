// CommonJS consumers get the same declarations through index.d.cts (no default export there).
import edge = require('edge-delegation');

const d = new edge.Delegator({ issuer: 'https://example.eu.auth0.com/', clients: [] });
const out: edge.VerifyResult = edge.verify('t', { secret: 'a-secret-of-at-least-thirty-two-bytes' });
const e: edge.DelegationError | undefined = undefined;
void d, out, e;
// @ts-expect-error: CommonJS has no default export
void edge.default;
