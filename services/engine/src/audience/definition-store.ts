import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AudienceDefinition } from '@pulse/audiences';
import { FailedPreconditionError, NotFoundError } from '@pulse/grpc';
import type { Logger } from 'pino';

/** The key-value bucket audience definitions live in, one key per audience id. */
export const AUDIENCE_BUCKET = 'PULSE_AUDIENCES';

/** Revisions kept per audience, for audit and rollback by hand. */
const HISTORY = 10;

/** Changes arriving this close together are applied as one. */
const SETTLE_MS = 50;

/** One audience as stored: the definition with a version that every update raises. */
export interface StoredAudience {
  id: string;
  name: string;
  expression: string;
  description: string;
  version: number;
}

/** The audience definitions in NATS KV, shared by every engine. */
export interface AudienceDefinitionStore {
  /** Every stored audience, sorted by id. */
  list(): Promise<StoredAudience[]>;
  get(id: string): Promise<StoredAudience | undefined>;
  /** Stores a new audience at version 1; FAILED_PRECONDITION when the id is taken. */
  create(audience: Omit<StoredAudience, 'version'>): Promise<StoredAudience>;
  /**
   * Replaces an audience and raises its version; `expectedVersion` (when not 0)
   * must be the version in force.
   */
  update(
    audience: Omit<StoredAudience, 'version'>,
    expectedVersion: number,
  ): Promise<StoredAudience>;
  delete(id: string): Promise<void>;
  /** Stores `audiences` when the bucket holds none (the first engine seeds it from files). */
  seed(audiences: readonly StoredAudience[]): Promise<void>;
  /** Calls `onChange` with the full list after each settled change; stop() ends it. */
  watch(onChange: (audiences: StoredAudience[]) => void): { stop(): void };
}

/** Opens (or creates) the bucket. */
export async function openAudienceStore(
  nc: NatsConnection,
  logger: Logger,
): Promise<AudienceDefinitionStore> {
  const kv = await new Kvm(nc).create(AUDIENCE_BUCKET, { history: HISTORY });
  const log = logger.child({ component: 'audience-definitions' });
  return new KvAudienceStore(kv, log);
}

class KvAudienceStore implements AudienceDefinitionStore {
  constructor(
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  async list(): Promise<StoredAudience[]> {
    const ids: string[] = [];
    for await (const key of await this.kv.keys()) ids.push(key);
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found
      .filter((a) => a !== undefined)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(id: string): Promise<StoredAudience | undefined> {
    return (await this.entry(id))?.audience;
  }

  async create(audience: Omit<StoredAudience, 'version'>): Promise<StoredAudience> {
    const stored = { ...audience, version: 1 };
    try {
      await this.kv.create(audience.id, JSON.stringify(stored));
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      throw new FailedPreconditionError(`audience '${audience.id}' already exists`, { cause: err });
    }
    return stored;
  }

  async update(
    audience: Omit<StoredAudience, 'version'>,
    expectedVersion: number,
  ): Promise<StoredAudience> {
    const current = await this.entry(audience.id);
    if (!current) throw new NotFoundError('audience', audience.id);
    const { version } = current.audience;
    if (expectedVersion !== 0 && expectedVersion !== version) {
      const reason = `audience '${audience.id}' is at version ${version}, not ${expectedVersion}`;
      throw new FailedPreconditionError(reason);
    }
    const stored = { ...audience, version: version + 1 };
    try {
      await this.kv.update(audience.id, JSON.stringify(stored), current.revision);
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      const reason = `audience '${audience.id}' changed meanwhile; read it again`;
      throw new FailedPreconditionError(reason, { cause: err });
    }
    return stored;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.entry(id))) throw new NotFoundError('audience', id);
    await this.kv.delete(id);
  }

  async seed(audiences: readonly StoredAudience[]): Promise<void> {
    const status = await this.kv.status();
    if (status.values > 0) return;
    for (const audience of audiences) {
      // Another engine seeding at the same moment wins the key; that is fine.
      await this.kv.create(audience.id, JSON.stringify(audience)).catch((err: unknown) => {
        if (!isWrongLastSequence(err)) throw err;
      });
    }
    this.log.info({ audiences: audiences.length }, 'audience bucket seeded from files');
  }

  watch(onChange: (audiences: StoredAudience[]) => void): { stop(): void } {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const settle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.list()
          .then((audiences) => stopped || onChange(audiences))
          .catch((err: unknown) => this.log.error({ err }, 'reading audience definitions failed'));
      }, SETTLE_MS);
    };
    const watcher = this.kv.watch({ include: 'updates' });
    void watcher.then(async (entries) => {
      if (stopped) return entries.stop();
      for await (const entry of entries) {
        if (stopped) break;
        if (entry.key !== '') settle();
      }
    });
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
        void watcher.then((entries) => entries.stop()).catch(() => {});
      },
    };
  }

  private async entry(id: string) {
    const entry = await this.kv.get(id);
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { audience: entry.json<StoredAudience>(), revision: entry.revision };
  }
}

/** KV create/update refusals: the key exists, or moved since it was read. */
function isWrongLastSequence(err: unknown): boolean {
  return err instanceof Error && /wrong last sequence|key exists/i.test(err.message);
}

/** The definition form `withAudiences` compiles. */
export function toDefinition(audience: StoredAudience): AudienceDefinition {
  const { id, name, expression, version } = audience;
  return { id, name, expression, version, description: audience.description || undefined };
}
