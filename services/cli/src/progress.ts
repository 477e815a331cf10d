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

/** A bar over a file's bytes read, with the records acknowledged beside it. */
export interface FileProgress {
  /** Bytes read so far. */
  read(bytes: number): void;
  /** Records acknowledged so far (a total, not an increment). */
  records(count: number): void;
  stop(): void;
}

/** Starts a bar over `totalBytes` on a terminal's standard error; nothing otherwise. */
export function createFileProgress(totalBytes: number): FileProgress {
  if (!process.stderr.isTTY) return { read: () => {}, records: () => {}, stop: () => {} };
  const bar = new SingleBar(
    {
      format: '{bar} {percentage}% of {size} read | {records} records sent | {duration}s',
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  const size = `${(totalBytes / 1_000_000).toFixed(1)} MB`;
  let bytes = 0;
  let records = 0;
  let running = true;
  bar.start(Math.max(totalBytes, 1), 0, { size, records });
  return {
    read(by) {
      bytes += by;
      bar.update(bytes, { records });
    },
    records(count) {
      records = count;
      bar.update(bytes, { records });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
