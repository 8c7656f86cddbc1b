// Node, ESM: the same instance as CommonJS, so classes and `instanceof` agree across both.
import api from './node.cjs';
export const {
  Delegator, delegate, Verifier, verify, sign, Signer, decode, createHandler, MemoryRateLimitStore, toNodeListener,
  DelegationError, VerifyError, ConfigError,
} = api;
export default api;
