import { z } from 'zod';

/** Audience ids: lower case, starting with a letter, then letters, digits, `_` or `-`. */
export const AUDIENCE_ID_PATTERN = /^[a-z][a-z0-9_-]*$/;

const ID_RULE = `must match ${AUDIENCE_ID_PATTERN.source}`;

const audienceSchema = z.strictObject({
  id: z.string().regex(AUDIENCE_ID_PATTERN, { error: ID_RULE }),
  name: z.string().trim().min(1, { error: 'must not be empty' }),
  description: z.string().optional(),
  expression: z.string(),
  version: z.int().positive().default(1),
});

/** The schema of an audience definitions document. */
export const audienceDocumentSchema = z.strictObject({
  audiences: z.array(audienceSchema),
});

/** One audience as written in a definitions document. */
export type AudienceDefinition = z.input<typeof audienceSchema>;

/** An audience definitions document: `{ audiences: [...] }`. */
export type AudienceDocument = z.input<typeof audienceDocumentSchema>;
