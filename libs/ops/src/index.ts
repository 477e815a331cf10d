export { startOpsServer } from './ops-server.js';
export type { OpsServer, OpsServerOptions } from './ops-server.js';
export {
  armShutdownDeadline,
  shutdownDeadlineMs,
  watchShutdownSignals,
  withDeadline,
} from './shutdown-signal.js';
export type { ShutdownOptions, ShutdownSignals } from './shutdown-signal.js';
