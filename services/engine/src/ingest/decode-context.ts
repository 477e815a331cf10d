import type { CampaignContext, Context, PageContext } from '@pulse/proto';
import { readStruct } from './decode-struct.js';
import { fail, WIRE_LENGTH } from './wire-reader.js';
import type { WireReader } from './wire-reader.js';

// pulse.v1.Context and its nested messages, for the ingest fast path
// (decode-event.ts). Each one that comes twice merges into the first, as
// protobuf merges a singular message field.

/** Where Context nests inside Event: Event is 1, so Context is 2 and `extra` 3. */
const EXTRA_DEPTH = 3;

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
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    if (tag === (1 << 3) + WIRE_LENGTH) page.url = r.string();
    else if (tag === (2 << 3) + WIRE_LENGTH) page.path = r.string();
    else if (tag === (3 << 3) + WIRE_LENGTH) page.referrer = r.string();
    else if (tag === (4 << 3) + WIRE_LENGTH) page.title = r.string();
    else fail();
  }
  r.end = outer;
  return page;
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
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    if (tag === (1 << 3) + WIRE_LENGTH) campaign.name = r.string();
    else if (tag === (2 << 3) + WIRE_LENGTH) campaign.source = r.string();
    else if (tag === (3 << 3) + WIRE_LENGTH) campaign.medium = r.string();
    else if (tag === (4 << 3) + WIRE_LENGTH) campaign.term = r.string();
    else if (tag === (5 << 3) + WIRE_LENGTH) campaign.content = r.string();
    else fail();
  }
  r.end = outer;
  return campaign;
}
