export { PulseStore } from './pulse-store.js';
export type { PulseStoreOptions, StoreSize } from './pulse-store.js';
export { emptyProfile } from './records.js';
export type { MergeEntry, ProfileRecord } from './records.js';
