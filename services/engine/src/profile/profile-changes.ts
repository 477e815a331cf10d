import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { profileSubject } from '@pulse/nats';
import { MergeRecordSchema, ProfileDeletedSchema, ProfileMergedSchema } from '@pulse/proto';
import type { MergeRecord } from '@pulse/proto';
import type { MergeEntry, PulseStore } from '@pulse/store';

/** The proto form of one merge history entry. */
export function toMergeRecord(entry: MergeEntry): MergeRecord {
  return create(MergeRecordSchema, {
    absorbedProfileId: entry.absorbedId,
    mergedAt: timestampFromMs(entry.atMs),
    messageId: entry.messageId,
    identifiers: entry.identifiers.map(([type, value]) => ({ type, value })),
  });
}

/** Queues `pulse.profile.merged` in the caller's transaction. */
export function announceMerge(store: PulseStore, survivorId: string, entry: MergeEntry): void {
  const message = create(ProfileMergedSchema, {
    survivorProfileId: survivorId,
    merge: toMergeRecord(entry),
  });
  store.appendOutbox(profileSubject('merged'), toBinary(ProfileMergedSchema, message));
}

/** What a deletion removed, as announced on `pulse.profile.deleted`. */
export interface DeletionNotice {
  profileId: string;
  identifiers: readonly (readonly [string, string])[];
  absorbedProfileIds: readonly string[];
  suppressed: boolean;
  reason: string;
  deletionId: string;
  atMs: number;
}

/** Queues `pulse.profile.deleted` in the caller's transaction. */
export function announceDeletion(store: PulseStore, notice: DeletionNotice): void {
  const message = create(ProfileDeletedSchema, {
    profileId: notice.profileId,
    identifiers: notice.identifiers.map(([type, value]) => ({ type, value })),
    absorbedProfileIds: [...notice.absorbedProfileIds],
    suppressed: notice.suppressed,
    reason: notice.reason,
    deletionId: notice.deletionId,
    deletedAt: timestampFromMs(notice.atMs),
  });
  store.appendOutbox(profileSubject('deleted'), toBinary(ProfileDeletedSchema, message));
}
