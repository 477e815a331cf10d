// Composite string keys: NUL separates the parts so that a range over one
// prefix lists exactly one audience's members or one type's identifiers.
const SEP = '\u0000';
const AFTER_SEP = '\u0001';

export function identityKey(type: string, value: string): string {
  return type + SEP + value;
}

export function memberKey(audienceId: string, profileId: string): string {
  return audienceId + SEP + profileId;
}

export function memberRange(audienceId: string): { start: string; end: string } {
  return { start: audienceId + SEP, end: audienceId + AFTER_SEP };
}

export function profileIdOfMemberKey(key: string): string {
  return key.slice(key.indexOf(SEP) + 1);
}
