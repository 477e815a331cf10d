import type { PulseStore } from '@pulse/store';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';

/** How often audience sizes are recounted. @default 30 s */
export const DEFAULT_SIZES_INTERVAL_MS = 30_000;

/** Members counted between two yields to the event loop. */
const COUNT_CHUNK = 10_000;

/** Options for {@link startAudienceSizes}. */
export interface AudienceSizesOptions {
  registry: Registry;
  store: PulseStore;
  /** The ids of the audiences in force. */
  audienceIds: () => readonly string[];
  logger: Logger;
  /** @default DEFAULT_SIZES_INTERVAL_MS */
  intervalMs?: number;
}

/** A running recount; `stop()` ends it. */
export interface AudienceSizes {
  /** Recounts every audience now; resolves once the new sizes are exported. */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Exports `pulse_audience_members{audience}` from the live index. Counting a
 * large audience means scanning its keys, so it runs in the background in
 * chunks that yield to the event loop, and a scrape reads the last counts.
 */
export function startAudienceSizes(options: AudienceSizesOptions): AudienceSizes {
  const log = options.logger.child({ component: 'audience-sizes' });
  let sizes = new Map<string, number>();
  new Gauge({
    name: 'pulse_audience_members',
    help: 'Profiles in the live index of each audience, recounted periodically',
    labelNames: ['audience'] as const,
    registers: [options.registry],
    collect() {
      this.reset();
      for (const [audience, members] of sizes) this.set({ audience }, members);
    },
  });

  let running: Promise<void> | undefined;
  // Set by stop(): a recount in progress gives up before the store closes under it.
  let stopped = false;
  const recount = async () => {
    const next = new Map<string, number>();
    for (const id of options.audienceIds()) {
      const members = await countMembers(options.store, id, () => stopped);
      if (members === undefined) return;
      next.set(id, members);
    }
    sizes = next;
  };
  const refresh = () => {
    running ??= recount()
      .catch((err: unknown) => log.warn({ err }, 'audience sizes not recounted'))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void refresh(), options.intervalMs ?? DEFAULT_SIZES_INTERVAL_MS);
  timer.unref();
  void refresh();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return { refresh, stop };
}

/** Members of one audience, or undefined when `stopped` turned true on the way. */
async function countMembers(
  store: PulseStore,
  audienceId: string,
  stopped: () => boolean,
): Promise<number | undefined> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    if (stopped()) return undefined;
    const ids = store.memberIdsAfter(audienceId, after, COUNT_CHUNK);
    count += ids.length;
    if (ids.length < COUNT_CHUNK) return count;
    after = ids[ids.length - 1];
    await new Promise((resolve) => setImmediate(resolve));
  }
}
