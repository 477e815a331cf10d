import { checkContactRules, resolveLearningOptions } from '@pulse/learning';
import type { ContactRules, LearningOptions, ResolvedLearningOptions } from '@pulse/learning';
import { parseDurationMs } from '@pulse/features';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** How offers are chosen beyond the catalogue: learning, contact policy, holdout. */
export interface DecisionConfig {
  learning: ResolvedLearningOptions;
  contact: Readonly<ContactRules>;
}

// The shapes are checked by libs/learning, which names the field at fault;
// here only the top level is fixed.
const fileSchema = z.strictObject({
  learning: z.record(z.string(), z.unknown()).default({}),
  contact: z.record(z.string(), z.unknown()).default({}),
});

/** YAML field names (snake_case, durations like `7d`) and the options they set. */
const FIELDS: Readonly<Record<string, { name: string; duration?: true }>> = {
  max_impressions: { name: 'maxImpressions' },
  window: { name: 'windowMs', duration: true },
  conversion_cooldown: { name: 'conversionCooldownMs', duration: true },
  dismissal_cooldown: { name: 'dismissalCooldownMs', duration: true },
  default_offer: { name: 'defaultOffer' },
  default_group: { name: 'defaultGroup' },
  attribution_window: { name: 'attributionWindowMs', duration: true },
  reward_on: { name: 'rewardOn' },
  default_placement: { name: 'defaultPlacement' },
  allow_same_group: { name: 'allowSameGroup' },
  max_explore_share: { name: 'maxExploreShare' },
  divide_by: { name: 'divideBy' },
};

/**
 * Renames the known snake_case fields and reads their durations, leaving
 * names chosen by the user (placements, offers, groups) as they are.
 */
function toOptions(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => toOptions(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const field = FIELDS[key];
    const here = path ? `${path}.${key}` : key;
    if (field?.duration) {
      const ms = typeof child === 'string' ? parseDurationMs(child) : undefined;
      if (ms === undefined) throw new Error(`${here}: must be a duration like 30m, 1d or 7d`);
      out[field.name] = ms;
    } else {
      out[field?.name ?? key] = toOptions(child, here);
    }
  }
  return out;
}

/** Parses decisions.yaml; throws an Error naming the field at fault. */
export function parseDecisionConfig(text: string): DecisionConfig {
  const parsed = fileSchema.safeParse(parseYaml(text) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const learning = toOptions(parsed.data.learning, 'learning') as LearningOptions;
  const contact = toOptions(parsed.data.contact, 'contact') as ContactRules;
  return { learning: resolveLearningOptions(learning), contact: checkContactRules(contact) };
}

/** Without decisions.yaml: Beta-Bernoulli learning per placement, no caps, no holdout. */
export function defaultDecisionConfig(): DecisionConfig {
  return { learning: resolveLearningOptions({}), contact: checkContactRules({}) };
}
