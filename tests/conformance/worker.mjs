// Runner: workerd. The fixtures arrive as text bindings; GET / runs the suite in a request.
import * as lib from 'edge-delegation';
import { conformance } from './suite.mjs';

export default {
  async fetch(request, env) {
    try {
      const out = await conformance(lib, JSON.parse(env.TENANT_JSON), JSON.parse(env.KEYS_JSON), 'workerd');
      return Response.json(out);
    } catch (e) {
      return Response.json({ ok: false, error: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
