/** Connects with reconnects and lifecycle logs; credentials and TLS from options or env. */
export { connectNats, natsSecurityFromEnv, securityOptions } from './connect.js';

/** Connection options, the NATS_* security variables and what they resolve to. */
export type {
  ConnectNatsOptions,
  NatsSecurityEnv,
  NatsSecurityOptions,
  NatsTlsFiles,
} from './connect.js';
export { LocalServerError } from './errors.js';
export { freePort, hasNatsServer, startLocalNatsServer } from './local-server.js';
export type { LocalNatsServer, LocalNatsServerOptions } from './local-server.js';
export { ensureStreams } from './streams.js';
export type { StreamOptions } from './streams.js';
export {
  CONTENT_TYPES,
  HEADERS,
  STREAMS,
  SUBJECTS,
  audienceSubject,
  deadLetterSubject,
  ingestSubject,
  isValidSourceToken,
  profileSubject,
  rawSubject,
} from './subjects.js';
export type { ProfileChange } from './subjects.js';
export { ensureNatsServerInstalled } from './install.js';
