import type { CampaignContext, Context, PageContext } from '@pulse/proto';
import { readStruct } from './decode-struct.js';
import { fail, WIRE_LENGTH } from './wire-reader.js';
import type { WireReader } from './wire-reader.js';

// pulse.v1.Context and its nested messages, for the ingest fast path
// (decode-event.ts). Each one that comes twice merges into the first, as
// protobuf merges a singular message field.

/** Where Context nests inside Event: Event is 1, so Context is 2 and `extra` 3. */
const EXTRA_DEPTH = 3;

/** Field names by field number (1 first) of the messages that hold only strings. */
const PAGE_FIELDS = ['url', 'path', 'referrer', 'title'] as const;
const CAMPAIGN_FIELDS = ['name', 'source', 'medium', 'term', 'content'] as const;

export function readContext(r: WireReader, into: Context | undefined): Context {
  const context: Context = into ?? {
    $typeName: 'pulse.v1.Context',
    ip: '',
    userAgent: '',
    locale: '',
    timezone: '',
    channel: '',
  };
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    switch (tag) {
      case (1 << 3) + WIRE_LENGTH:
        context.ip = r.string();
        break;
      case (2 << 3) + WIRE_LENGTH:
        context.userAgent = r.string();
        break;
      case (3 << 3) + WIRE_LENGTH:
        context.locale = r.string();
        break;
      case (4 << 3) + WIRE_LENGTH:
        context.timezone = r.string();
        break;
      case (5 << 3) + WIRE_LENGTH:
        context.channel = r.string();
        break;
      case (6 << 3) + WIRE_LENGTH:
        context.page = readPage(r, context.page);
        break;
      case (7 << 3) + WIRE_LENGTH:
        context.campaign = readCampaign(r, context.campaign);
        break;
      case (8 << 3) + WIRE_LENGTH:
        context.extra = readStruct(r, context.extra ?? {}, EXTRA_DEPTH);
        break;
      default:
        fail();
    }
  }
  r.end = outer;
  return context;
}

function readPage(r: WireReader, into: PageContext | undefined): PageContext {
  const page: PageContext = into ?? {
    $typeName: 'pulse.v1.PageContext',
    url: '',
    path: '',
    referrer: '',
    title: '',
  };
  return readStrings(r, page, PAGE_FIELDS);
}

function readCampaign(r: WireReader, into: CampaignContext | undefined): CampaignContext {
  const campaign: CampaignContext = into ?? {
    $typeName: 'pulse.v1.CampaignContext',
    name: '',
    source: '',
    medium: '',
    term: '',
    content: '',
  };
  return readStrings(r, campaign, CAMPAIGN_FIELDS);
}

/** Reads a message whose fields 1..n are all strings into `message`; any other field is an error. */
function readStrings<K extends string, M extends Record<K, string>>(
  r: WireReader,
  message: M,
  fields: readonly K[],
): M {
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    const field = (tag & 7) === WIRE_LENGTH ? fields[(tag >>> 3) - 1] : undefined;
    if (field === undefined) fail();
    message[field] = r.string() as M[K];
  }
  r.end = outer;
  return message;
}
