// Runner: Node CommonJS (and Bun's require).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const lib = require('edge-delegation');

const fixtures = process.env.FIXTURES ?? join(__dirname, '..', 'fixtures');
const read = (n) => JSON.parse(readFileSync(join(fixtures, n), 'utf8'));
import('./suite.mjs')
  .then(({ conformance }) => conformance(lib, read('tenant.json'), read('keys.json'), typeof Bun !== 'undefined' ? 'bun-cjs' : 'node-cjs'))
  .then((out) => console.log(JSON.stringify({ ...out, entry: require.resolve('edge-delegation') })))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
