import { create } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { CampaignContextSchema, ContextSchema, PageContextSchema } from '@pulse/proto';
import type { Context } from '@pulse/proto';

import { InvalidEventError } from '../errors.js';
import { childPath, isPlainObject } from './json-value.js';

const TOP_LEVEL_KEYS = ['ip', 'userAgent', 'locale', 'timezone', 'channel'] as const;
const PAGE_KEYS = ['url', 'path', 'referrer', 'title'] as const;
const CAMPAIGN_KEYS = ['name', 'source', 'medium', 'term', 'content'] as const;

/** String fields taken out of a JSON object, and what was left. */
interface Split<K extends string> {
  typed: Partial<Record<K, string>>;
  rest: JsonObject;
}

/**
 * Builds the typed Context from a Segment `context` object (already checked
 * as JSON). Known string fields, `page` and `campaign` become typed fields;
 * every other member, including unknown page and campaign members, stays in
 * `extra`. Returns undefined when there is no context.
 */
export function readContext(value: unknown): Context | undefined {
  if (value === undefined || value === null) return undefined;
  const { typed, rest } = splitStrings(value, 'context', TOP_LEVEL_KEYS);
  const page = readGroup(rest, 'page', PAGE_KEYS);
  const campaign = readGroup(rest, 'campaign', CAMPAIGN_KEYS);

  const extra = Object.keys(rest).length > 0 ? rest : undefined;
  return create(ContextSchema, {
    ...typed,
    page: page && create(PageContextSchema, page),
    campaign: campaign && create(CampaignContextSchema, campaign),
    extra,
  });
}

/** Takes typed strings out of `rest[key]`, leaving unknown members there. */
function readGroup<K extends string>(
  rest: JsonObject,
  key: string,
  keys: readonly K[],
): Partial<Record<K, string>> | undefined {
  const value = rest[key];
  if (value === undefined || value === null) return undefined;
  const path = childPath('context', key);
  const { typed, rest: leftover } = splitStrings(value, path, keys);
  if (Object.keys(leftover).length > 0) rest[key] = leftover;
  else delete rest[key];
  return typed;
}

function splitStrings<K extends string>(
  value: unknown,
  path: string,
  keys: readonly K[],
): Split<K> {
  if (!isPlainObject(value)) {
    throw new InvalidEventError(path, 'must be a JSON object', value);
  }
  const rest = { ...value } as JsonObject;
  const typed: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const field = rest[key];
    delete rest[key];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string') {
      const fieldPath = childPath(path, key);
      throw new InvalidEventError(fieldPath, 'must be a string', field);
    }
    typed[key] = field.trim();
  }
  return { typed, rest };
}
