// The constant-time RS256/RS384/RS512 signer (src/rsa.rs) against node:crypto: PKCS#1
// v1.5 is deterministic, so for the same key and signing input the signatures must be the same
// bytes. Random keys of several sizes, from JWK (with and without CRT members) and PEM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as nodeSign, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sign, verify } from 'edge-delegation';

// Node 20 can deadlock when a garbage collection inside a key export finalizes the finished
// key-generation job of that same key (both take the key's mutex; seen here: the process hung
// in ExportJWK → GC → ~KeyGenJob). A full collection right after each generation finalizes the
// job while no export holds the mutex.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const HASH = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

test('RS256/384/512 signatures are byte-identical to node:crypto over random keys and messages', () => {
  const sizes = [2048, 2048, 2048, 2048, 2048, 2048, 2050, 2056, 3072, 4096];
  let compared = 0;
  for (const modulusLength of sizes) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
    gc();
    const jwk = privateKey.export({ format: 'jwk' });
    const { kty, n, e, d, p, q } = jwk; // also without dp/dq/qi: they are recomputed
    const forms = [jwk, { kty, n, e, d, p, q }, privateKey.export({ type: 'pkcs8', format: 'pem' }), privateKey.export({ type: 'pkcs1', format: 'pem' })];
    for (const [i, key] of forms.entries()) {
      for (const alg of Object.keys(HASH)) {
        const payload = { sub: randomBytes(8).toString('hex'), data: randomBytes(1 + (compared % 300)).toString('base64'), i };
        const token = sign(payload, key, { alg });
        const [h, pl, s] = token.split('.');
        const expected = nodeSign(HASH[alg], Buffer.from(`${h}.${pl}`), privateKey).toString('base64url');
        assert.equal(s, expected, `${modulusLength}-bit key, form ${i}, ${alg}`);
        assert.equal(verify(token, { key: publicKey.export({ format: 'jwk' }), algorithms: [alg] }).payload.i, i);
        compared += 1;
      }
    }
  }
  assert.equal(compared, sizes.length * 4 * 3);
});
