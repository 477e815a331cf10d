import { SingleBar, Presets } from 'cli-progress';

/** A progress counter on standard error; a bar on a terminal, nothing otherwise. */
export interface Progress {
  increment(by: number): void;
  stop(): void;
}

/** Starts a progress display counting `unit`s, without a known total. */
export function createProgress(unit: string): Progress {
  if (!process.stderr.isTTY) return { increment: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `{value} ${unit} sent | {duration}s`, stream: process.stderr, noTTYOutput: false },
    Presets.shades_classic,
  );
  bar.start(0, 0);
  let count = 0;
  return {
    increment(by) {
      count += by;
      bar.update(count);
    },
    stop: () => bar.stop(),
  };
}
