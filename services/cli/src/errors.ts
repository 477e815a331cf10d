import { CommanderError } from 'commander';
import { InvalidMappingError, UnknownLoaderFormatError } from '@pulse/loaders';

/** The command line is wrong (a missing option, a bad value); the CLI exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes of the `pulse` command. */
export const EXIT_CODES = { ok: 0, failure: 1, usage: 2 } as const;

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  if (err instanceof UsageError || err instanceof UnknownLoaderFormatError) return EXIT_CODES.usage;
  if (err instanceof InvalidMappingError) return EXIT_CODES.usage;
  return EXIT_CODES.failure;
}

/** gRPC's UNAVAILABLE status code. */
const UNAVAILABLE = 14;

/**
 * The line the CLI prints for an error that ended a command. A call that
 * found no engine to talk to says so and names the flag that points at it,
 * instead of gRPC's own text.
 */
export function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { code, details } = err as Error & { code?: unknown; details?: unknown };
  if (
    code === UNAVAILABLE &&
    typeof details === 'string' &&
    details.startsWith('No connection established')
  ) {
    const cause = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/.exec(details)?.[1];
    return (
      `cannot reach the engine${cause ? ` (${cause})` : ''}: is it running? ` +
      'Pass --engine host:port when it listens elsewhere'
    );
  }
  return err.message;
}
