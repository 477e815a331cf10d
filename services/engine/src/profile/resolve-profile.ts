import type { AudienceSet } from '@pulse/audiences';
import type { FeatureDefinitions } from '@pulse/features';
import type { Event } from '@pulse/proto';
import { emptyProfile } from '@pulse/store';
import type { ProfileRecord, PulseStore } from '@pulse/store';
import type { Ownership } from '../partition/ownership.js';
import type { IdentifierPair, IdentityRules } from './identity-rules.js';
import { chooseSurvivor, mergeProfiles } from './merge-profiles.js';

/** Profiles touched by the batch in progress, written once at its end. */
export type ProfileCache = Map<string, ProfileRecord>;

/** Outcome of resolving one event's identifiers. */
export interface Resolution {
  profile: ProfileRecord;
  /** 1 when the identifiers named profiles a limit kept apart. */
  conflicts: number;
  /** Trait leaves a merge refused because their types differed. */
  traitConflicts: number;
  /** Ids of the profiles merged into `profile` by this event. */
  absorbed: string[];
}

/** What resolving works with besides the event. */
export interface ResolveContext {
  store: PulseStore;
  cache: ProfileCache;
  features: FeatureDefinitions;
  audiences: AudienceSet;
  identity: IdentityRules;
  /** The profiles whose traits and features this engine keeps. */
  ownership: Ownership;
}

/**
 * Finds the profile an event belongs to, links its new identifiers (as
 * {@link eventIdentifiers} gives them) to it,
 * and merges the profiles its identifiers name when no per-type limit
 * forbids it (see identity-rules.ts). When a limit forbids it, the event
 * goes to the profile of its own user_id and a conflict is counted.
 */
export function resolveProfile(
  ctx: ResolveContext,
  event: Event,
  identifiers: readonly IdentifierPair[],
  newProfileId: string,
  atMs: number,
): Resolution {
  // Read once: with one owner or none nothing relinks them before linkAll.
  const ownerOf = identifiers.map(([type, value]) => ctx.store.profileIdOf(type, value));
  const owners: ProfileRecord[] = [];
  for (const owner of ownerOf) {
    if (owner !== undefined && !owners.some((p) => p.id === owner)) {
      owners.push(loadOrCreate(ctx, owner, atMs));
    }
  }
  if (breaksLimitWith(ctx.identity, owners, identifiers))
    return attributeByOwnIdentifier(ctx, event, identifiers, newProfileId, atMs);

  const profile =
    owners.length === 0
      ? loadOrCreate(ctx, newProfileId, atMs)
      : chooseSurvivor(owners, (type) => ctx.identity.isLimited(type));
  const resolution: Resolution = { profile, conflicts: 0, traitConflicts: 0, absorbed: [] };
  for (const other of owners) {
    if (other === profile) continue;
    resolution.traitConflicts += mergeProfiles(
      ctx.store,
      ctx.cache,
      profile,
      other,
      ctx,
      atMs,
      event.messageId,
    );
    resolution.absorbed.push(other.id);
  }
  linkAll(ctx, profile, identifiers, owners.length <= 1 ? ownerOf : undefined);
  return resolution;
}

/** Whether the identifiers of `owners` and `identifiers` together break a limit. */
function breaksLimitWith(
  identity: IdentityRules,
  owners: readonly ProfileRecord[],
  identifiers: readonly IdentifierPair[],
): boolean {
  if (owners.length === 0) return identity.breaksLimit(identifiers);
  if (owners.length === 1) return identity.breaksLimit([...owners[0]!.identifiers, ...identifiers]);
  return identity.breaksLimit([...owners.flatMap((p) => p.identifiers), ...identifiers]);
}

/**
 * The event's identifiers name profiles that must stay apart: it joins the
 * profile of its own limited identifier (created when new). The other
 * profiles it names merge into that one when no limit forbids it (an
 * anonymous profile), else give up the event's shared-device identifiers
 * (the last identified user of a device wins). Without a limited identifier
 * of its own, it joins the profile of its highest-priority known identifier
 * and links nothing away.
 */
function attributeByOwnIdentifier(
  ctx: ResolveContext,
  event: Event,
  identifiers: readonly IdentifierPair[],
  newProfileId: string,
  atMs: number,
): Resolution {
  const own = identifiers.find(([type]) => ctx.identity.isLimited(type));
  if (!own) {
    const known = identifiers.find(([t, v]) => ctx.store.profileIdOf(t, v) !== undefined)!;
    const profile = loadOrCreate(ctx, ctx.store.profileIdOf(known[0], known[1])!, atMs);
    linkAll(ctx, profile, identifiers);
    return { profile, conflicts: 1, traitConflicts: 0, absorbed: [] };
  }
  const profileId = ctx.store.profileIdOf(own[0], own[1]) ?? newProfileId;
  const profile = loadOrCreate(ctx, profileId, atMs);
  const resolution: Resolution = { profile, conflicts: 1, traitConflicts: 0, absorbed: [] };
  // Identifiers the event links to `profile` in any case count against its limits.
  const unknown = identifiers.filter(([t, v]) => ctx.store.profileIdOf(t, v) === undefined);
  for (const [type, value] of identifiers) {
    const owner = ctx.store.profileIdOf(type, value);
    if (owner === undefined || owner === profile.id) continue;
    const previous = loadOrCreate(ctx, owner, atMs);
    const combined = [...profile.identifiers, ...previous.identifiers, ...unknown];
    if (!ctx.identity.breaksLimit(combined)) {
      // Taking only its shared identifiers would leave it unreachable, its state orphaned.
      resolution.traitConflicts += mergeProfiles(
        ctx.store,
        ctx.cache,
        profile,
        previous,
        ctx,
        atMs,
        event.messageId,
      );
      resolution.absorbed.push(previous.id);
      continue;
    }
    if (!ctx.identity.isShared(type)) continue;
    previous.identifiers = previous.identifiers.filter(([t, v]) => t !== type || v !== value);
    ctx.store.linkIdentifier(type, value, profile.id);
    profile.identifiers.push([type, value]);
  }
  linkAll(ctx, profile, identifiers);
  return resolution;
}

/**
 * Links the identifiers no profile holds yet to `profile`, except one that
 * would break a per-type limit (a second user_id on one event): that one
 * stays unlinked, so it cannot glue another person to this profile.
 */
function linkAll(
  ctx: ResolveContext,
  profile: ProfileRecord,
  identifiers: readonly IdentifierPair[],
  ownerOf?: readonly (string | undefined)[],
): void {
  for (let i = 0; i < identifiers.length; i += 1) {
    const [type, value] = identifiers[i]!;
    const owner = ownerOf ? ownerOf[i] : ctx.store.profileIdOf(type, value);
    if (owner !== undefined) continue;
    if (ctx.identity.breaksLimit([...profile.identifiers, [type, value]])) continue;
    ctx.store.linkIdentifier(type, value, profile.id);
    profile.identifiers.push([type, value]);
  }
}

/**
 * The event's identifiers as stored (hashed where configured), an alias's
 * previousId included, by priority, once each.
 */
export function eventIdentifiers(
  ctx: Pick<ResolveContext, 'store' | 'identity'>,
  event: Event,
): IdentifierPair[] {
  const pairs: IdentifierPair[] = event.identifiers.map(
    (i) => [i.type, ctx.identity.storedValue(i.type, i.value)] as const,
  );
  if (event.previousId) pairs.push(previousIdentifier(ctx, event.previousId));
  if (pairs.length === 1) return pairs;
  const seen = new Set<string>();
  const unique = pairs.filter(([type, value]) => {
    const key = `${type}\0${value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return ctx.identity.byPriority(unique);
}

/** Segment's previousId is an earlier anonymousId or userId; a known link says which. */
function previousIdentifier(
  ctx: Pick<ResolveContext, 'store' | 'identity'>,
  previousId: string,
): IdentifierPair {
  for (const type of ['anonymous_id', 'user_id']) {
    const value = ctx.identity.storedValue(type, previousId);
    if (ctx.store.profileIdOf(type, value) !== undefined) return [type, value];
  }
  return ['anonymous_id', ctx.identity.storedValue('anonymous_id', previousId)];
}

function loadOrCreate(ctx: ResolveContext, profileId: string, atMs: number): ProfileRecord {
  let profile = ctx.cache.get(profileId) ?? ctx.store.getProfile(profileId);
  if (!profile) profile = emptyProfile(profileId, atMs);
  ctx.cache.set(profileId, profile);
  return profile;
}
