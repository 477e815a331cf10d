import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Definitions } from './definitions.js';

/** What the engine's API handlers and batch applier share. */
export interface EngineContext {
  store: PulseStore;
  /** The definitions in force; replaced atomically on reload. */
  definitions: () => Definitions;
  clock: Clock;
  logger: Logger;
}
