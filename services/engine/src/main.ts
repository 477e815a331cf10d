import { createRootLogger } from '@pulse/logging';
import { shutdownDeadlineMs, watchShutdownSignals } from '@pulse/ops';
import { resolveEngineConfig } from './config.js';
import { startEngine } from './engine.js';

const config = resolveEngineConfig();
const logger = createRootLogger({ service: 'pulse-engine', level: config.logLevel });
const shutdown = watchShutdownSignals(logger);

try {
  const engine = await startEngine(config, logger, { signal: shutdown.signal });
  shutdown.onShutdown(engine.stop, { deadlineMs: shutdownDeadlineMs(config.shutdownGraceMs) });
  const exit = await engine.stopped;
  logger.flush();
  process.exit(exit.error === undefined ? 0 : 1);
} catch (err) {
  logger.fatal({ err }, 'engine did not start');
  logger.flush();
  process.exit(shutdown.signal.aborted ? 0 : 1);
}
