/**
 * A contact rule for one offer or one group of offers. Each limit is off
 * when left out.
 */
export interface ContactRule {
  /** At most this many impressions within `windowMs` before the decision. */
  maxImpressions?: number;
  /** The cap window, epoch ms wide. Required with `maxImpressions`. */
  windowMs?: number;
  /** Not shown for this long after a conversion, ms. */
  conversionCooldownMs?: number;
  /** Not shown for this long after a dismissal, ms. */
  dismissalCooldownMs?: number;
}

/** The contact policy: rules per offer and per group, with defaults for the rest. */
export interface ContactRules {
  /** Rules by offer id. */
  offers?: Record<string, ContactRule>;
  /** Rules by offer group. */
  groups?: Record<string, ContactRule>;
  /** For offers not in `offers`. @default no limits */
  defaultOffer?: ContactRule;
  /** For groups not in `groups`. @default no limits */
  defaultGroup?: ContactRule;
}

/** Event times of one offer's (or one group's) contacts, each list ascending, epoch ms. */
export interface ContactTimes {
  impressions: number[];
  conversions: number[];
  dismissals: number[];
}

/**
 * One profile's contact history: plain, small data (msgpack-ready), merged
 * with {@link mergeContactStates} and kept small with {@link pruneContactState}.
 */
export interface ContactState {
  /** By offer id. */
  offers: Record<string, ContactTimes>;
  /** By offer group: the contacts of every offer of the group. */
  groups: Record<string, ContactTimes>;
}

/** A contact to record: an offer shown, converted on, or dismissed at an event time. */
export interface Contact {
  kind: 'impression' | 'conversion' | 'dismissal';
  offerId: string;
  /** The offer's group when the contact happened, if it has one. */
  group?: string | undefined;
  atMs: number;
}

/** The offer a contact check is about. */
export interface ContactSubject {
  id: string;
  group?: string | undefined;
}

/** Why the policy holds an offer back. */
export interface ContactRefusal {
  allowed: false;
  reason: 'capped' | 'cooling_down';
  /** In words, e.g. `2 impressions of offer 'lantern' in the last 1d (at most 2)`. */
  detail: string;
  /** The earliest instant the refusal can end with no new contact, epoch ms. */
  untilMs: number;
}

/** The result of {@link isAllowed}. */
export type ContactVerdict = { allowed: true } | ContactRefusal;

const ALLOWED: ContactVerdict = Object.freeze({ allowed: true });

/**
 * Checks contact rules once, before use, and returns them frozen: limits are
 * positive (impressions a whole number), and `maxImpressions` comes with
 * `windowMs`. Throws `RangeError` naming the field, e.g. `groups.seasonal.windowMs`.
 */
export function checkContactRules(rules: ContactRules): Readonly<ContactRules> {
  const scoped = [
    ['offers', rules.offers],
    ['groups', rules.groups],
  ] as const;
  for (const [scope, byKey] of scoped) {
    for (const [key, rule] of Object.entries(byKey ?? {})) checkRule(rule, `${scope}.${key}`);
  }
  if (rules.defaultOffer !== undefined) checkRule(rules.defaultOffer, 'defaultOffer');
  if (rules.defaultGroup !== undefined) checkRule(rules.defaultGroup, 'defaultGroup');
  return Object.freeze(rules);
}

function checkRule(rule: ContactRule, field: string) {
  const { maxImpressions, windowMs } = rule;
  if (maxImpressions !== undefined && !(Number.isInteger(maxImpressions) && maxImpressions > 0)) {
    throw new RangeError(`'${field}.maxImpressions' must be a whole number > 0`);
  }
  if ((maxImpressions === undefined) !== (windowMs === undefined)) {
    throw new RangeError(`'${field}.windowMs' must be given with maxImpressions, and only then`);
  }
  for (const name of ['windowMs', 'conversionCooldownMs', 'dismissalCooldownMs'] as const) {
    const value = rule[name];
    if (value !== undefined && !(value > 0 && Number.isFinite(value))) {
      throw new RangeError(`'${field}.${name}' must be a finite number of ms > 0`);
    }
  }
}

/** Whether `rules` hold any rule at all; without one, {@link isAllowed} allows every offer. */
export function hasContactRules(rules: ContactRules): boolean {
  const some = (byKey: Record<string, ContactRule> | undefined) =>
    byKey !== undefined && Object.keys(byKey).length > 0;
  return (
    some(rules.offers) ||
    some(rules.groups) ||
    rules.defaultOffer !== undefined ||
    rules.defaultGroup !== undefined
  );
}

/** An empty contact history. */
export function createContactState(): ContactState {
  return { offers: {}, groups: {} };
}

/**
 * Whether the policy lets `offer` be shown at `atMs`, exactly by event time:
 * cool-downs first (offer, then group), then caps (offer, then group). A cap
 * counts impressions in `(atMs − windowMs, atMs]`; a cool-down holds during
 * `[contact, contact + cooldown)`. Contacts stamped after `atMs` are not seen.
 */
export function isAllowed(
  state: ContactState,
  offer: ContactSubject,
  atMs: number,
  rules: ContactRules,
): ContactVerdict {
  const { id, group } = offer;
  const offerTimes = state.offers[id];
  const groupTimes = group === undefined ? undefined : state.groups[group];
  if (offerTimes === undefined && groupTimes === undefined) {
    return ALLOWED; // never contacted: the common case, kept cheap
  }
  // A rule without contacts to count, or contacts without a rule, refuse nothing.
  const offerRule = offerTimes && (rules.offers?.[id] ?? rules.defaultOffer);
  const groupRule =
    groupTimes && group !== undefined ? (rules.groups?.[group] ?? rules.defaultGroup) : undefined;
  if (offerRule === undefined && groupRule === undefined) return ALLOWED;
  return (
    coolingDown('offer', id, offerTimes, offerRule, atMs) ??
    coolingDown('group', group, groupTimes, groupRule, atMs) ??
    capped('offer', id, offerTimes, offerRule, atMs) ??
    capped('group', group, groupTimes, groupRule, atMs) ??
    ALLOWED
  );
}

/** How refusals name what they count, e.g. `offer 'lantern'`. */
function label(scope: 'offer' | 'group', name: string | undefined): string {
  return `${scope} '${name}'`;
}

function coolingDown(
  scope: 'offer' | 'group',
  name: string | undefined,
  times: ContactTimes | undefined,
  rule: ContactRule | undefined,
  atMs: number,
): ContactRefusal | undefined {
  if (times === undefined || rule === undefined) return undefined;
  const kinds = [
    ['conversion', times.conversions, rule.conversionCooldownMs],
    ['dismissal', times.dismissals, rule.dismissalCooldownMs],
  ] as const;
  let refusal: ContactRefusal | undefined;
  for (const [kind, list, cooldownMs] of kinds) {
    if (cooldownMs === undefined) continue;
    const last = lastAtOrBefore(list, atMs);
    const untilMs = last + cooldownMs;
    if (untilMs > atMs && (refusal === undefined || untilMs > refusal.untilMs)) {
      const detail =
        `${kind} on ${label(scope, name)} at ${iso(last)}, ` +
        `cool-down of ${formatDuration(cooldownMs)} until ${iso(untilMs)}`;
      refusal = { allowed: false, reason: 'cooling_down', detail, untilMs };
    }
  }
  return refusal;
}

function capped(
  scope: 'offer' | 'group',
  name: string | undefined,
  times: ContactTimes | undefined,
  rule: ContactRule | undefined,
  atMs: number,
): ContactRefusal | undefined {
  const max = rule?.maxImpressions;
  const windowMs = rule?.windowMs;
  if (times === undefined || max === undefined || windowMs === undefined) return undefined;
  const list = times.impressions;
  const from = upperBound(list, atMs - windowMs);
  const to = upperBound(list, atMs);
  const count = to - from;
  if (count < max) return undefined;
  // The cap lifts once enough of the counted impressions leave the window.
  const untilMs = (list[to - max] as number) + windowMs;
  const detail =
    `${count} impression${count === 1 ? '' : 's'} of ${label(scope, name)} ` +
    `in the last ${formatDuration(windowMs)} (at most ${max})`;
  return { allowed: false, reason: 'capped', detail, untilMs };
}

/**
 * Records one contact, in place, under the offer and under its group. Lists
 * stay ascending whatever order contacts arrive in.
 */
export function recordContact(state: ContactState, contact: Contact): ContactState {
  insertContact((state.offers[contact.offerId] ??= emptyTimes()), contact);
  if (contact.group !== undefined) {
    insertContact((state.groups[contact.group] ??= emptyTimes()), contact);
  }
  return state;
}

function insertContact(times: ContactTimes, contact: Contact) {
  const list =
    contact.kind === 'impression'
      ? times.impressions
      : contact.kind === 'conversion'
        ? times.conversions
        : times.dismissals;
  list.splice(upperBound(list, contact.atMs), 0, contact.atMs);
}

/**
 * Adds the contacts of `from` into `into`, in place, as when two profiles
 * merge: every contact of either counts once. `from` is left untouched.
 * Entries of `into` are replaced, never changed: merging into a copy of its
 * two records (`{ offers: { ...s.offers }, groups: { ...s.groups } }`)
 * leaves `s` as it was.
 */
export function mergeContactStates(into: ContactState, from: ContactState): ContactState {
  for (const scope of ['offers', 'groups'] as const) {
    for (const [key, times] of Object.entries(from[scope])) {
      const target = into[scope][key] ?? emptyTimes();
      into[scope][key] = {
        impressions: mergeSorted(target.impressions, times.impressions),
        conversions: mergeSorted(target.conversions, times.conversions),
        dismissals: mergeSorted(target.dismissals, times.dismissals),
      };
    }
  }
  return into;
}

/**
 * Drops, in place, contacts that no check at or after `fromMs` can see
 * under `rules`: impressions older than the longest cap window and
 * conversions or dismissals whose cool-down ended. Entries left empty go.
 * Call it with the oldest instant a decision may still be made at (say,
 * newest event time minus the allowed clock skew).
 */
export function pruneContactState(
  state: ContactState,
  rules: ContactRules,
  fromMs: number,
): ContactState {
  const scopes = [
    ['offers', rules.offers, rules.defaultOffer],
    ['groups', rules.groups, rules.defaultGroup],
  ] as const;
  for (const [scope, byKey, fallback] of scopes) {
    const entries = state[scope];
    for (const [key, times] of Object.entries(entries)) {
      const rule = byKey?.[key] ?? fallback ?? {};
      times.impressions = keepAfter(times.impressions, fromMs - (rule.windowMs ?? 0));
      times.conversions = keepAfter(times.conversions, fromMs - (rule.conversionCooldownMs ?? 0));
      times.dismissals = keepAfter(times.dismissals, fromMs - (rule.dismissalCooldownMs ?? 0));
      const empty = !times.impressions.length && !times.conversions.length;
      if (empty && !times.dismissals.length) delete entries[key];
    }
  }
  return state;
}

/** The entries of ascending `list` greater than `bound`. */
function keepAfter(list: number[], bound: number): number[] {
  const from = upperBound(list, bound);
  return from === 0 ? list : list.slice(from);
}

/** The latest entry <= atMs of ascending `list`, or -Infinity. */
function lastAtOrBefore(list: readonly number[], atMs: number): number {
  const i = upperBound(list, atMs);
  return i === 0 ? -Infinity : (list[i - 1] as number);
}

/** The index of the first entry of ascending `list` greater than `value`. */
function upperBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  return [...a, ...b].sort((x, y) => x - y);
}

function emptyTimes(): ContactTimes {
  return { impressions: [], conversions: [], dismissals: [] };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const DURATION_UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** `7d`, `36h`, `90m`: the largest unit that divides the duration evenly. */
function formatDuration(ms: number): string {
  for (const [unit, size] of DURATION_UNITS) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
