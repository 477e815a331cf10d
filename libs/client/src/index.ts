/** Sends Segment calls to Pulse collectors over NATS, batched and acknowledged. */
export { publishCalls } from './publish-calls.js';
export type { IngestReport, PublishCallsOptions, PublishTotals } from './publish-calls.js';
