import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Definitions } from './definitions.js';
import type { DeletionRequests } from './profile/deletion-requests.js';

/** What the engine's API handlers and batch applier share. */
export interface EngineContext {
  store: PulseStore;
  /** The definitions in force; replaced atomically on reload. */
  definitions: () => Definitions;
  clock: Clock;
  logger: Logger;
  /** Queues deletions on the event stream; set once NATS is connected. */
  deletions?: DeletionRequests;
  /** The stream whose applied sequence says how far the engine got. */
  stream: string;
}
