import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** How identity resolution treats one identifier type. */
export interface IdentifierRule {
  type: string;
  /** Most distinct values of this type one profile may hold; unlimited when absent. */
  limit?: number;
  /**
   * A shared device's identifier: when an event cannot merge because of a
   * limit, it moves to the profile of the event's own limited identifier
   * (the last identified user of a device wins).
   */
  shared: boolean;
  /** Stored and looked up as `sha256:<hex>` of the normalized value. */
  hash: boolean;
}

/** An identifier as `[type, value]`. */
export type IdentifierPair = readonly [string, string];

const ruleSchema = z.strictObject({
  type: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9_.-]{1,64}$/, 'must be 1 to 64 of a-z, 0-9, _ . -')
    .refine((t) => t !== 'profile_id', 'profile_id is reserved'),
  limit: z.int().min(1).optional(),
  shared: z.boolean().default(false),
  hash: z.boolean().default(false),
});

const fileSchema = z.strictObject({
  identifiers: z
    .array(ruleSchema)
    .min(1)
    .refine((rules) => new Set(rules.map((r) => r.type)).size === rules.length, {
      message: 'lists a type twice',
    }),
  consent: z
    .strictObject({ trait: z.string().trim().min(1).default('consent.personalization') })
    .default({ trait: 'consent.personalization' }),
});

/** The rules used when a definitions folder has no identity.yaml. */
export const DEFAULT_IDENTITY_YAML = `
identifiers:
  - { type: user_id, limit: 1 }
  - { type: email }
  - { type: phone }
  - { type: device_id, shared: true }
  - { type: anonymous_id, shared: true }
consent:
  trait: consent.personalization
`;

/** Trait values that withhold personalization. */
const WITHHELD = new Set<JsonValue>([false, 'false', 'denied', 'withheld', 'no']);

/**
 * The identity rules of one installation, from `identity.yaml`: the
 * identifier types in priority order (the first decides which profile an
 * event joins), a per-profile limit, the shared-device rule and hashing per
 * type, and the trait that carries consent to personalization.
 */
export class IdentityRules {
  private readonly byType: Map<string, IdentifierRule>;
  private readonly rank: Map<string, number>;
  private readonly consentPath: string[];

  private constructor(
    readonly rules: readonly IdentifierRule[],
    readonly consentTrait: string,
  ) {
    this.byType = new Map(rules.map((r) => [r.type, r]));
    this.rank = new Map(rules.map((r, i) => [r.type, i]));
    this.consentPath = consentTrait.split('.');
  }

  /** Parses identity.yaml; throws an Error naming the path at fault. */
  static parse(text: string): IdentityRules {
    const parsed = fileSchema.safeParse(parseYaml(text) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return new IdentityRules(parsed.data.identifiers, parsed.data.consent.trait);
  }

  static defaults(): IdentityRules {
    return IdentityRules.parse(DEFAULT_IDENTITY_YAML);
  }

  isLimited(type: string): boolean {
    return this.byType.get(type)?.limit !== undefined;
  }

  isShared(type: string): boolean {
    return this.byType.get(type)?.shared === true;
  }

  /** Identifiers sorted by priority; types not listed come last, in their order. */
  byPriority<T extends IdentifierPair>(identifiers: T[]): T[] {
    const last = this.rules.length;
    return identifiers.sort(
      (a, b) => (this.rank.get(a[0]) ?? last) - (this.rank.get(b[0]) ?? last),
    );
  }

  /** True when a profile holding all `pairs` would break a per-type limit. */
  breaksLimit(pairs: Iterable<IdentifierPair>): boolean {
    const valuesByType = new Map<string, Set<string>>();
    for (const [type, value] of pairs) {
      const limit = this.byType.get(type)?.limit;
      if (limit === undefined) continue;
      let values = valuesByType.get(type);
      if (!values) valuesByType.set(type, (values = new Set()));
      values.add(value);
      if (values.size > limit) return true;
    }
    return false;
  }

  /** The value as stored and looked up: hashed for types configured so. */
  storedValue(type: string, value: string): string {
    if (!this.byType.get(type)?.hash || value.startsWith('sha256:')) return value;
    return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`;
  }

  /** False when the consent trait withholds personalization (false, "denied", "no"...). */
  allowsPersonalization(traits: JsonObject): boolean {
    let value: JsonValue | undefined = traits;
    for (const key of this.consentPath) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
      value = value[key];
    }
    const normalized = typeof value === 'string' ? value.trim().toLowerCase() : value;
    return normalized === undefined || !WITHHELD.has(normalized);
  }
}
