import { createRootLogger } from '@pulse/logging';
import { armShutdownDeadline, shutdownDeadlineMs, watchShutdownSignals } from '@pulse/ops';
import { resolveEngineConfig } from './config.js';
import { startEngine } from './engine.js';

const config = resolveEngineConfig();
const logger = createRootLogger({ service: 'pulse-engine', level: config.logLevel });
const shutdown = watchShutdownSignals(logger);
const deadlineMs = shutdownDeadlineMs(config.shutdownGraceMs);

try {
  // However the stop begins (SIGTERM or a fatal fault), a hung step cannot keep the process.
  const onStopping = () => void armShutdownDeadline(deadlineMs, logger);
  const engine = await startEngine(config, logger, { signal: shutdown.signal, onStopping });
  shutdown.onShutdown(engine.stop);
  const exit = await engine.stopped;
  logger.flush();
  process.exit(exit.error === undefined ? 0 : 1);
} catch (err) {
  logger.fatal({ err }, 'engine did not start');
  logger.flush();
  process.exit(shutdown.signal.aborted ? 0 : 1);
}
