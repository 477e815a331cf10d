/** Stream names, one per concern. */
export const STREAMS = {
  /** Validated canonical events, as the collector accepted them. */
  raw: 'PULSE_RAW',
  /** Rejected input: original bytes, with the reason in headers. */
  deadLetter: 'PULSE_DLQ',
  /** Audience transitions (pulse.v1.AudienceTransition), a subject per audience. */
  audience: 'PULSE_AUDIENCE',
  /** Profile lifecycle for downstream systems: merges and deletions. */
  profile: 'PULSE_PROFILE',
} as const;

/** Subject prefixes; the last token names the source or partition. */
export const SUBJECTS = {
  /** Core NATS subjects the collector serves (request/reply or publish). */
  ingest: 'pulse.ingest',
  raw: 'pulse.raw',
  deadLetter: 'pulse.dlq',
  audience: 'pulse.audience',
  profile: 'pulse.profile',
} as const;

/** Headers Pulse sets on JetStream messages. */
export const HEADERS = {
  msgId: 'Nats-Msg-Id',
  contentType: 'Content-Type',
  reason: 'Pulse-Reason',
  field: 'Pulse-Field',
  source: 'Pulse-Source',
  receivedAt: 'Pulse-Received-At',
} as const;

/** Content types the collector accepts on NATS. */
export const CONTENT_TYPES = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
} as const;

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `source` can be one subject token (letters, digits, `_`, `-`). */
export function isValidSourceToken(source: string): boolean {
  return TOKEN.test(source);
}

/** The subject a collector publishes a source's accepted events on. */
export function rawSubject(source: string): string {
  return `${SUBJECTS.raw}.${source}`;
}

/** The subject a source's rejected input goes to. */
export function deadLetterSubject(source: string): string {
  return `${SUBJECTS.deadLetter}.${source}`;
}

/** The subject a producer sends a source's events to. */
export function ingestSubject(source: string): string {
  return `${SUBJECTS.ingest}.${source}`;
}

/** The subject one audience's transitions are published on. */
export function audienceSubject(audienceId: string): string {
  return `${SUBJECTS.audience}.${audienceId}`;
}

/** What happened to a profile: `merged` (pulse.v1.ProfileMerged) or `deleted` (ProfileDeleted). */
export type ProfileChange = 'merged' | 'deleted';

/** The subject a profile change is published on. */
export function profileSubject(change: ProfileChange): string {
  return `${SUBJECTS.profile}.${change}`;
}
