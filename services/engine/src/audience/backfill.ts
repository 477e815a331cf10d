import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { BackfillProgressSchema, BackfillState } from '@pulse/proto';
import type { BackfillProgress } from '@pulse/proto';
import type { Definitions } from '../definitions.js';
import type { Transition } from './update-audiences.js';

/**
 * The backfill this engine runs or last ran: every existing profile evaluated
 * against new or changed audiences, chunk by chunk, while events flow.
 */
export class BackfillStatus {
  private state: BackfillState = BackfillState.UNSPECIFIED;

  private audiences: string[] = [];

  private profilesDone = 0;

  private profilesTotal = 0;

  private entered = 0;

  private exited = 0;

  private startedAtMs = 0;

  private finishedAtMs = 0;

  // Numbers each backfill, so a superseded one cannot report over its successor.
  private run = 0;

  /** Starts tracking a backfill over `profilesTotal` profiles; returns its run number. */
  begin(audiences: string[], profilesTotal: number): number {
    this.run += 1;
    Object.assign(this, {
      state: BackfillState.RUNNING,
      audiences,
      profilesDone: 0,
      profilesTotal,
      entered: 0,
      exited: 0,
      startedAtMs: Date.now(),
      finishedAtMs: 0,
    });
    return this.run;
  }

  /** Records one committed chunk of run `run`. */
  advance(run: number, profilesDone: number, transitions: readonly Transition[]): void {
    if (run !== this.run) return;
    this.profilesDone = profilesDone;
    for (const t of transitions) {
      if (t.entered) this.entered += 1;
      else this.exited += 1;
    }
  }

  /** Ends the backfill: done, or overtaken by newer definitions. */
  finish(run: number, completed: boolean): void {
    if (run !== this.run) return;
    this.state = completed ? BackfillState.DONE : BackfillState.SUPERSEDED;
    this.finishedAtMs = Date.now();
  }

  /** The progress as the admin API reports it; undefined before the first backfill. */
  toProto(): BackfillProgress | undefined {
    if (this.state === BackfillState.UNSPECIFIED) return undefined;
    return create(BackfillProgressSchema, {
      state: this.state,
      audiences: this.audiences,
      profilesDone: BigInt(this.profilesDone),
      profilesTotal: BigInt(this.profilesTotal),
      entered: BigInt(this.entered),
      exited: BigInt(this.exited),
      startedAt: timestampFromMs(this.startedAtMs),
      finishedAt: this.finishedAtMs === 0 ? undefined : timestampFromMs(this.finishedAtMs),
    });
  }
}

/** Audiences of `next` that are new or whose rule changed since `previous`, as `id@version`. */
export function changedAudiences(previous: Definitions | undefined, next: Definitions): string[] {
  return next.audiences.ids.flatMap((id) => {
    const audience = next.audiences.get(id)!;
    const before = previous?.audiences.get(id);
    const same = before?.expression === audience.expression;
    return same ? [] : [`${id}@${audience.version}`];
  });
}
