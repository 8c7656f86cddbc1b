// Runs a Worker in real workerd (npm `workerd`) on 127.0.0.1: writes a config that lists the
// worker's modules, the package's modules (the .wasm as a Wasm module) and text bindings.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKERD = fileURLToPath(new URL('../../node_modules/workerd/bin/workerd', import.meta.url));

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * dir: a folder with node_modules/edge-delegation; modules: [[name, file]] (the first is the
 * worker); bindings: { NAME: file }; `loopback: true` lets the worker's fetch reach
 * 127.0.0.1 (workerd's default outbound allows public addresses only). Resolves to
 * { url, pid, stop }.
 */
export async function startWorkerd(dir, modules, bindings, { loopback = false } = {}) {
  const port = await freePort();
  const rel = (f) => JSON.stringify(relative(dir, f));
  const pkg = join(dir, 'node_modules', 'edge-delegation');
  const pkgModules = ['workerd.mjs', 'web-api.mjs', 'api.mjs', 'web/edge_delegation.js'].map(
    (f) => `(name = "node_modules/edge-delegation/${f}", esModule = embed ${rel(join(pkg, f))})`,
  );
  pkgModules.push(`(name = "node_modules/edge-delegation/web/edge_delegation_bg.wasm", wasm = embed ${rel(join(pkg, 'web', 'edge_delegation_bg.wasm'))})`);
  const shim = "export * from './node_modules/edge-delegation/workerd.mjs'; export { default } from './node_modules/edge-delegation/workerd.mjs';";
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)${loopback ? ', (name = "loopback", network = (allow = ["local"]))' : ''}],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    ${modules.map(([name, file]) => `(name = ${JSON.stringify(name)}, esModule = embed ${rel(file)})`).join(',\n    ')},
    (name = "edge-delegation", esModule = ${JSON.stringify(shim)}),
    ${pkgModules.join(',\n    ')},
  ],
  compatibilityDate = "2025-09-01",${loopback ? '\n  globalOutbound = "loopback",' : ''}
  bindings = [
    ${Object.entries(bindings).map(([n, f]) => `(name = ${JSON.stringify(n)}, text = embed ${rel(f)})`).join(',\n    ')},
  ],
);
`;
  const file = join(dir, `workerd-${port}.capnp`);
  writeFileSync(file, config);
  const child = spawn(WORKERD, ['serve', file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${url}/.well-known/jwks.json`);
      break;
    } catch {
      if (i > 100 || child.exitCode !== null) throw new Error(`workerd did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: child.pid,
    stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill()))),
  };
}
