// `npm run demo` (the README's main command) works and shows what it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('the demo delegates to two targets, verifies both, and shows a refusal', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const out = execFileSync(process.execPath, ['examples/demo.mjs'], { cwd: root, encoding: 'utf8' });
  assert.match(out, /Signed in: the id_token issued to client "spa"/);
  assert.match(out, /Verified with the tenant JWKS[\s\S]*"aud": "api-rs"[\s\S]*"azp": "spa"/);
  assert.match(out, /Verified with web-hs's client_secret \(HS256\)[\s\S]*"alg": "HS256"[\s\S]*"aud": "web-hs"/);
  assert.match(out, /Refused: HTTP 403[\s\S]*"error": "access_denied"/);
  assert.match(out, /Demo complete: 2 delegation tokens minted and verified, 1 request refused/);
});
