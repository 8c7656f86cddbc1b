// Starts Azurite's Blob service (npm `azurite`) on 127.0.0.1 in a temporary folder, for the
// azure_blob tests; `stop()` ends it and removes the folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { freePort } from './workerd-helper.mjs';

const require = createRequire(import.meta.url);
const MAIN = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');

/** Azurite's published development account (not a secret: every Azurite has it). */
export const ACCOUNT = 'devstoreaccount1';
export const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function startAzurite() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'azurite-'));
  // --skipApiVersionCheck: the SDK's default service version can be newer than Azurite's.
  const child = spawn(process.execPath, [MAIN, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--skipApiVersionCheck', '--disableProductStyleUrl', '--disableTelemetry'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start in 30 s:\n${log}`)), 30_000);
    const onData = (b) => {
      log += b;
      if (log.includes('successfully listens')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}:\n${log}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/${ACCOUNT}`,
    async stop() {
      child.kill();
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
