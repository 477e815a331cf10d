import { IANAZone } from 'luxon';

/** Zones already checked; they come from configuration, so the set stays small. */
const knownZones = new Set<string>(['UTC']);

/** Throws `RangeError` unless `zone` names an IANA time zone. */
export function assertZone(zone: string, option: string): void {
  if (knownZones.has(zone)) return;
  if (!IANAZone.isValidZone(zone)) {
    throw new RangeError(`'${option}' must be an IANA time zone, got '${zone}'`);
  }
  knownZones.add(zone);
}
