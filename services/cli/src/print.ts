import { timestampDate, timestampMs } from '@bufbuild/protobuf/wkt';
import { OfferVerdict } from '@pulse/proto';
import type {
  DecideResponse,
  FeatureValue,
  GetOfferStatsResponse,
  ListAudiencesResponse,
  Profile,
} from '@pulse/proto';

import type { Status } from './commands/status.js';

const number = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** One feature value as a short human-readable string. */
export function formatFeature(feature: FeatureValue): string {
  const { value } = feature;
  switch (value.case) {
    case 'number':
      return number.format(value.value);
    case 'time':
      return new Date(timestampMs(value.value)).toISOString().replace('.000Z', 'Z');
    case 'strings':
      return value.value.values.join(', ') || '-';
    case 'scores':
      return (
        value.value.entries
          .slice(0, 3)
          .map((e) => `${e.key} ${number.format(e.score)}`)
          .join(', ') || '-'
      );
    default:
      return '-';
  }
}

/** A profile as an indented block: identifiers, traits, features, audiences. */
export function formatProfile(profile: Profile): string {
  const ids = profile.identifiers.map((i) => `${i.type}=${i.value}`).join(' ');
  const traits = JSON.stringify(profile.traits ?? {});
  const width = Math.max(...profile.features.map((f) => f.featureId.length));
  const lines = [
    `profile ${profile.profileId}  (${ids})  traits ${traits}`,
    ...profile.features.map((f) => `    ${f.featureId.padEnd(width)}  ${formatFeature(f)}`),
    `    audiences: ${profile.audiences.join(', ') || '(none)'}`,
    ...profile.merges.map(
      (m) =>
        `    merged ${m.absorbedProfileId} at ${m.mergedAt ? timestampDate(m.mergedAt).toISOString() : '?'}` +
        ` (${m.identifiers.map((i) => `${i.type}=${i.value}`).join(' ')})`,
    ),
  ];
  if (!profile.personalizationAllowed) lines.push('    consent: personalization withheld');
  return lines.join('\n');
}

/** A decision: ranked offers with score and reasons. */
export function formatDecision(placement: string, decision: DecideResponse): string {
  const lines = [`  next-best offers at '${placement}' (decision ${decision.decisionId}):`];
  // With every offer considered listed below, a chosen one's reasons are there.
  const reasons = decision.considered.length === 0;
  decision.offers.forEach((offer, i) => {
    lines.push(
      `    ${i + 1}. ${offer.offerId}  score ${number.format(offer.score)}  ${offer.name}`,
    );
    if (reasons) for (const reason of offer.reasons) lines.push(`         - ${reason}`);
  });
  if (decision.offers.length === 0) lines.push('    (no eligible offer)');
  if (decision.considered.length > 0) {
    lines.push(`  every offer considered (${decision.considered.length}):`);
    const width = Math.max(...decision.considered.map((c) => c.offerId.length));
    for (const c of decision.considered) {
      // An explanation starts with the verdict in words.
      lines.push(`    ${c.offerId.padEnd(width)}  ${c.explanation || verdictName(c.verdict)}`);
    }
  }
  return lines.join('\n');
}

/** `OFFER_VERDICT_COOLING_DOWN` as `cooling down`. */
function verdictName(verdict: OfferVerdict): string {
  const name = OfferVerdict[verdict] as string | undefined;
  return name ? name.toLowerCase().replaceAll('_', ' ') : `verdict ${verdict}`;
}

/** Audience sizes as a table. */
export function formatAudiences(response: ListAudiencesResponse): string {
  const width = Math.max(...response.audiences.map((a) => a.audienceId.length), 8);
  const lines = response.audiences.map(
    (a) => `  ${a.audienceId.padEnd(width)}  ${String(a.size).padStart(6)}  ${a.expression}`,
  );
  return [`  ${'audience'.padEnd(width)}  ${'size'.padStart(6)}  rule`, ...lines].join('\n');
}

/** Offer counters and learned propensity per placement, as a table. */
export function formatOfferStats(response: GetOfferStatsResponse): string {
  const header = [
    'placement',
    'offer',
    'decisions',
    'impressions',
    'clicks',
    'conversions',
    'value',
    'propensity',
  ];
  const rows = response.stats.map((s) => [
    s.placement,
    s.offerId,
    String(s.decisions),
    String(s.impressions),
    String(s.clicks),
    String(s.conversions),
    number.format(s.value),
    s.estimatedPropensity.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  return [line(header), ...rows.map(line)].join('\n');
}

/** Formats a count or amount for people. */
export function formatNumber(value: number): string {
  return number.format(value);
}

/** `pulse status` as tables: streams, consumers, profiles, audiences, errors. */
export function formatStatus(status: Status): string {
  const lines = ['streams:'];
  for (const s of status.streams) {
    lines.push(
      `  ${s.name.padEnd(16)} ${formatNumber(s.messages).padStart(12)} messages` +
        `  ${formatNumber(s.bytes).padStart(14)} bytes  last seq ${s.lastSeq}`,
    );
  }
  lines.push('consumers:');
  for (const c of status.consumers) {
    const name = `${c.stream}/${c.name}`.padEnd(30);
    lines.push(`  ${name} lag ${formatNumber(c.pending)}  unacknowledged ${c.ackPending}`);
  }
  const profiles = status.profiles === undefined ? '-' : formatNumber(status.profiles);
  lines.push(`profiles: ${profiles}`, 'audiences:');
  for (const a of status.audiences) {
    lines.push(`  ${a.audienceId.padEnd(30)} ${formatNumber(a.size).padStart(10)}`);
  }
  for (const error of status.errors) lines.push(`unavailable: ${error}`);
  return lines.join('\n');
}
