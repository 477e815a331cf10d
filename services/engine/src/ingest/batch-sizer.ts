/** Fewest messages a batch is cut to, however slow the recent ones were. */
const MIN_BATCH = 16;
/** Size of the first batch, before any cost has been measured. */
const FIRST_BATCH = 64;
/** Weight of the newest batch in the running cost per message. */
const SMOOTHING = 0.3;

/**
 * Sizes ingest batches so that applying one holds the event loop for about
 * `budgetMs`: gRPC calls queue behind a batch, so a backlog drains in many
 * short turns instead of a few long ones. The size follows a smoothed cost
 * per message of the batches applied so far, between 16 and `maxBatch`.
 */
export class BatchSizer {
  private msPerMessage = 0;

  constructor(
    private readonly maxBatch: number,
    private readonly budgetMs: number,
  ) {}

  /** How many of the waiting messages the next batch takes. */
  next(): number {
    if (this.budgetMs <= 0) return this.maxBatch;
    if (this.msPerMessage === 0) return Math.min(FIRST_BATCH, this.maxBatch);
    const fits = Math.floor(this.budgetMs / this.msPerMessage);
    return Math.max(Math.min(MIN_BATCH, this.maxBatch), Math.min(fits, this.maxBatch));
  }

  /** Records that `messages` took `elapsedMs` to apply. */
  record(messages: number, elapsedMs: number): void {
    if (messages <= 0 || !(elapsedMs >= 0)) return;
    const cost = elapsedMs / messages;
    this.msPerMessage =
      this.msPerMessage === 0 ? cost : SMOOTHING * cost + (1 - SMOOTHING) * this.msPerMessage;
  }
}
