import {
  compileRule,
  DefinitionError,
  parseDefinitionSource,
  PROFILE_RULE_VARIABLES,
} from '@pulse/rules';
import { audienceDocumentSchema } from './audience-definition.js';
import { AudienceSet } from './audience-set.js';
import type { Audience } from './audience-set.js';
import type { FieldTypes } from '@pulse/rules';

/** Options for {@link parseAudienceDefinitions}. */
export interface ParseAudienceOptions {
  /** When given, rules may only read these features. @default any feature name */
  featureNames?: Iterable<string>;
  /** When given, rules are type-checked against the profile's declared fields. @default no check */
  fieldTypes?: FieldTypes;
}

/**
 * Validates an audience definitions document (YAML text or parsed data) and
 * compiles every expression. Throws `DefinitionError` or `RuleError` naming
 * the field at fault, e.g. `audiences[2].expression`.
 */
export function parseAudienceDefinitions(
  source: unknown,
  options: ParseAudienceOptions = {},
): AudienceSet {
  const document = parseDefinitionSource(source, audienceDocumentSchema);
  const featureNames = options.featureNames && [...options.featureNames];
  const firstIndex = new Map<string, number>();

  const audiences = document.audiences.map((definition, i): Audience => {
    const seenAt = firstIndex.get(definition.id);
    if (seenAt !== undefined) {
      const reason = `duplicate audience id '${definition.id}' (first at audiences[${seenAt}])`;
      throw new DefinitionError(`audiences[${i}].id`, reason);
    }
    firstIndex.set(definition.id, i);

    const rule = compileRule(definition.expression, {
      name: `audiences[${i}].expression`,
      kind: 'bool',
      variables: PROFILE_RULE_VARIABLES,
      featureNames,
      fieldTypes: options.fieldTypes,
    });
    return { ...definition, description: definition.description, rule };
  });
  return new AudienceSet(audiences);
}
