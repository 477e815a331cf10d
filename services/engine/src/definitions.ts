import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAudienceDefinitions } from '@pulse/audiences';
import type { AudienceDefinition, AudienceSet } from '@pulse/audiences';
import { parseFeatureDefinitions } from '@pulse/features';
import type { FeatureDefinitions } from '@pulse/features';
import type { FeatureType, FieldTypes } from '@pulse/rules';
import { parseOfferCatalogue } from '@pulse/offers';
import type { OfferCatalogue } from '@pulse/offers';
import type { Logger } from 'pino';
import { IdentityRules } from './profile/identity-rules.js';
import { defaultDecisionConfig, parseDecisionConfig } from './decision/decision-config.js';
import type { DecisionConfig } from './decision/decision-config.js';

/** The definitions one engine works with, validated and compiled together. */
export interface Definitions {
  features: FeatureDefinitions;
  audiences: AudienceSet;
  offers: OfferCatalogue;
  /** Identifier types, limits, hashing and the consent trait (identity.yaml, optional). */
  identity: IdentityRules;
  /** Learning, contact policy and holdout of offers (decisions.yaml, optional). */
  decisions: DecisionConfig;
  /** Whether some audience rule reads `now` or a decaying score (needs periodic re-checks). */
  audiencesReadTime: boolean;
}

/** File names inside a definitions folder. */
export const DEFINITION_FILES = {
  features: 'features.yaml',
  audiences: 'audiences.yaml',
  offers: 'offers.yaml',
  identity: 'identity.yaml',
  decisions: 'decisions.yaml',
} as const;

/** A definitions file could not be read or is invalid; `file` names it. */
export class DefinitionsLoadError extends Error {
  override name = 'DefinitionsLoadError';

  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
  }
}

/**
 * Whether some audience rule changes with time in ways window buckets do not
 * announce: it names `now`, or a decaying affinity score. A false positive (a
 * string that merely contains the word) only costs periodic re-checks.
 */
function readsTime(features: FeatureDefinitions, audiences: AudienceSet): boolean {
  const decaying = features.features.filter((f) => f.kind === 'affinity').map((f) => f.id);
  const words = ['now', ...decaying].map((w) => w.replace(/[^\w]/g, ''));
  const pattern = new RegExp(`\\b(${words.join('|')})\\b`);
  return audiences.ids.some((id) => pattern.test(audiences.get(id)!.expression));
}

/** What each defined feature reads as, for type-checking rules. */
export function profileFieldTypes(features: FeatureDefinitions): FieldTypes {
  const types = new Map<string, FeatureType>();
  for (const feature of features.features) {
    types.set(feature.id, FEATURE_TYPES[feature.kind]);
  }
  return { features: types };
}

const FEATURE_TYPES: Readonly<Record<FeatureDefinitions['features'][number]['kind'], FeatureType>> =
  {
    count: 'number',
    sum: 'number',
    distinct_count: 'number',
    min: 'number_or_null',
    max: 'number_or_null',
    first_seen: 'number_or_null',
    last_seen: 'number_or_null',
    last_n: 'strings',
    affinity: 'scores',
  };

/**
 * The same definitions with another audience set (from the key-value
 * bucket), compiled and type-checked against the features in force. Throws
 * `DefinitionError` or `RuleError` naming `audiences[i].<field>`.
 */
export function withAudiences(
  defs: Definitions,
  audiences: readonly AudienceDefinition[],
): Definitions {
  const fieldTypes = profileFieldTypes(defs.features);
  const set = parseAudienceDefinitions({ audiences }, { fieldTypes });
  return { ...defs, audiences: set, audiencesReadTime: readsTime(defs.features, set) };
}

/** Reads and validates the definition files of `dir` (identity.yaml and decisions.yaml are optional). */
export function loadDefinitions(dir: string): Definitions {
  const features = parse(dir, DEFINITION_FILES.features, parseFeatureDefinitions);
  // Rules may name only defined features: a typo is refused, not an empty audience.
  const featureNames = features.features.map((f) => f.id);
  const fieldTypes = profileFieldTypes(features);
  const audiences = parse(dir, DEFINITION_FILES.audiences, (text) =>
    parseAudienceDefinitions(text, { fieldTypes }),
  );
  const offers = parse(dir, DEFINITION_FILES.offers, (text) =>
    parseOfferCatalogue(text, { audienceIds: [...audiences.ids], featureNames }),
  );
  const identity = existsSync(join(dir, DEFINITION_FILES.identity))
    ? parse(dir, DEFINITION_FILES.identity, (text) => IdentityRules.parse(text))
    : IdentityRules.defaults();
  const decisions = existsSync(join(dir, DEFINITION_FILES.decisions))
    ? parse(dir, DEFINITION_FILES.decisions, parseDecisionConfig)
    : defaultDecisionConfig();
  return {
    features,
    audiences,
    offers,
    identity,
    decisions,
    audiencesReadTime: readsTime(features, audiences),
  };
}

function parse<T>(dir: string, file: string, parser: (text: string) => T): T {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DefinitionsLoadError(path, 'cannot be read', { cause: err });
  }
  try {
    return parser(text);
  } catch (err) {
    throw new DefinitionsLoadError(path, (err as Error).message, { cause: err });
  }
}

/**
 * Reloads the definitions when a file in `dir` changes, without a restart.
 * An invalid change is logged and the definitions in force stay.
 * New features start empty; state of removed features is kept but unread.
 */
export function watchDefinitions(
  dir: string,
  onReload: (defs: Definitions) => void,
  logger: Logger,
): FSWatcher {
  const log = logger.child({ component: 'definitions' });
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    try {
      onReload(loadDefinitions(dir));
      log.info({ dir }, 'definitions reloaded');
    } catch (err) {
      log.error({ err }, 'definitions change rejected; keeping the ones in force');
    }
  };
  const watcher = watch(dir, () => {
    clearTimeout(timer);
    timer = setTimeout(reload, 200);
  });
  watcher.on('close', () => clearTimeout(timer));
  return watcher;
}
