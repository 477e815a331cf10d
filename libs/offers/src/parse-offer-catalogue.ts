import type { JsonObject } from '@bufbuild/protobuf';
import { compileRule, DefinitionError, parseDefinitionSource } from '@pulse/rules';
import { UnknownAudienceReferenceError } from './errors.js';
import { OfferCatalogue } from './offer-catalogue.js';
import type { Offer } from './offer-catalogue.js';
import { offerDocumentSchema } from './offer-definition.js';
import type { ValidOfferDefinition } from './offer-definition.js';

/** Options for {@link parseOfferCatalogue}. */
export interface ParseOfferOptions {
  /** When given, audiences named by offers must be among these. @default no check */
  audienceIds?: Iterable<string>;
  /** When given, rules may only read these features. @default any feature name */
  featureNames?: Iterable<string>;
}

interface ResolvedParseOfferOptions {
  audienceIds: ReadonlySet<string> | undefined;
  featureNames: readonly string[] | undefined;
}

/**
 * Validates an offer catalogue (YAML text or parsed data) and compiles its
 * rules. Throws `DefinitionError` or `RuleError` naming the field at fault.
 */
export function parseOfferCatalogue(
  source: unknown,
  options: ParseOfferOptions = {},
): OfferCatalogue {
  const document = parseDefinitionSource(source, offerDocumentSchema);
  const resolved: ResolvedParseOfferOptions = {
    audienceIds: options.audienceIds && new Set(options.audienceIds),
    featureNames: options.featureNames && [...options.featureNames],
  };

  const firstIndex = new Map<string, number>();
  const offers = document.offers.map((definition, i) => {
    const seenAt = firstIndex.get(definition.id);
    if (seenAt !== undefined) {
      const reason = `duplicate offer id '${definition.id}' (first at offers[${seenAt}])`;
      throw new DefinitionError(`offers[${i}].id`, reason);
    }
    firstIndex.set(definition.id, i);
    return buildOffer(definition, `offers[${i}]`, resolved);
  });
  return new OfferCatalogue(offers);
}

function buildOffer(
  definition: ValidOfferDefinition,
  field: string,
  options: ResolvedParseOfferOptions,
): Offer {
  const include = definition.audiences?.include ?? [];
  const exclude = definition.audiences?.exclude ?? [];
  checkAudiences(include, `${field}.audiences.include`, options.audienceIds);
  checkAudiences(exclude, `${field}.audiences.exclude`, options.audienceIds);
  exclude.forEach((id, j) => {
    if (include.includes(id)) {
      const reason = `audience '${id}' is both included and excluded`;
      throw new DefinitionError(`${field}.audiences.exclude[${j}]`, reason);
    }
  });

  const { startMs, endMs } = schedule(definition, field);
  const { featureNames } = options;
  const eligibility = definition.eligibility;
  const boost = definition.boost;
  return {
    id: definition.id,
    name: definition.name,
    placements: [...new Set(definition.placements)],
    group: definition.group,
    eligibility:
      eligibility === undefined
        ? undefined
        : compileRule(eligibility, { name: `${field}.eligibility`, kind: 'bool', featureNames }),
    include,
    exclude,
    priority: definition.priority,
    value: definition.value,
    boost:
      boost === undefined
        ? undefined
        : compileRule(boost, { name: `${field}.boost`, kind: 'double', featureNames }),
    start: definition.start,
    end: definition.end,
    startMs,
    endMs,
    content: deepFreeze(definition.content as JsonObject),
  };
}

function checkAudiences(
  ids: readonly string[],
  field: string,
  known: ReadonlySet<string> | undefined,
) {
  if (known === undefined) {
    return;
  }
  ids.forEach((id, j) => {
    if (!known.has(id)) {
      throw new UnknownAudienceReferenceError(`${field}[${j}]`, id);
    }
  });
}

function schedule(definition: ValidOfferDefinition, field: string) {
  const startMs = definition.start === undefined ? -Infinity : Date.parse(definition.start);
  const endMs = definition.end === undefined ? Infinity : Date.parse(definition.end);
  if (startMs >= endMs) {
    throw new DefinitionError(`${field}.end`, `must be after start (${definition.start})`);
  }
  return { startMs, endMs };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
