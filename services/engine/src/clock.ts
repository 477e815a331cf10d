/** Where "now" comes from when features and audiences are read. */
export const CLOCK_MODES = ['wall', 'event'] as const;

export type ClockMode = (typeof CLOCK_MODES)[number];

/**
 * The engine's notion of now. `wall` is the machine's time. `event` is one
 * millisecond after the newest event time applied so far (the watermark):
 * replays of history, such as the demo on 2010 data, read their windows as of
 * the data's own present, and a window [now − W, now) includes the newest
 * event.
 */
export interface Clock {
  readonly mode: ClockMode;
  now(): number;
  /** Tells the clock an event with this time was applied. */
  observe(eventTimeMs: number): void;
  /** The newest event time observed; 0 before any. */
  watermarkMs(): number;
}

/** A clock of the given mode, resuming from a persisted watermark. */
export function createClock(mode: ClockMode, initialWatermarkMs = 0): Clock {
  let watermark = initialWatermarkMs;
  return {
    mode,
    now: mode === 'wall' ? () => Date.now() : () => watermark + 1,
    observe(eventTimeMs) {
      if (eventTimeMs > watermark) watermark = eventTimeMs;
    },
    watermarkMs: () => watermark,
  };
}
