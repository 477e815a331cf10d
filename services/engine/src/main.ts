import { createRootLogger } from '@pulse/logging';
import { resolveEngineConfig } from './config.js';
import { startEngine } from './engine.js';

const config = resolveEngineConfig();
const logger = createRootLogger({ service: 'pulse-engine', level: config.logLevel });

// Signals are taken from the first moment: during startup they abort it,
// once running they start the drain. A second signal exits at once.
const abort = new AbortController();
let engineStop: (() => Promise<unknown>) | undefined;
let signalled = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (signalled) {
    logger.warn({ signal }, 'second signal; exiting now');
    process.exit(1);
  }
  signalled = true;
  logger.info({ signal }, 'shutdown requested');
  abort.abort();
  void engineStop?.();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

try {
  const engine = await startEngine(config, logger, { signal: abort.signal });
  engineStop = engine.stop;
  const exit = await engine.stopped;
  logger.flush();
  process.exit(exit.error === undefined ? 0 : 1);
} catch (err) {
  logger.fatal({ err }, 'engine did not start');
  logger.flush();
  process.exit(signalled ? 0 : 1);
}
