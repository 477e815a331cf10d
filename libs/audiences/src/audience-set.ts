import { createActivation, ruleReads } from '@pulse/rules';
import type {
  BoolRule,
  ProfileView,
  RuleActivation,
  RuleEvaluationError,
  RuleReads,
} from '@pulse/rules';
import { UnknownAudienceError } from './errors.js';

/** A validated audience with its compiled rule. */
export interface Audience {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly expression: string;
  readonly version: number;
  readonly rule: BoolRule;
}

/** Options for evaluating audiences against one profile. */
export interface EvaluateAudiencesOptions {
  /**
   * Called for each audience whose rule failed on this profile; the profile is
   * then not a member. Use it to count and log. @default errors are ignored
   */
  onError?: (audienceId: string, error: RuleEvaluationError) => void;
}

/**
 * A validated, compiled set of audiences, built by `parseAudienceDefinitions`.
 * Evaluation builds the rule activation once per profile and reuses it.
 */
export class AudienceSet {
  /** Every audience id, sorted. */
  readonly ids: readonly string[];

  // Sorted by id, so evaluation yields sorted ids without a sort.
  private readonly audiences: readonly Audience[];

  /**
   * What the rules read of traits, features and identifiers: a view holding
   * only that evaluates every audience the same as a full one.
   */
  readonly reads: RuleReads;

  private readonly byId: ReadonlyMap<string, Audience>;

  constructor(audiences: readonly Audience[]) {
    this.audiences = [...audiences].sort((a, b) => compareIds(a.id, b.id));
    this.ids = Object.freeze(this.audiences.map((a) => a.id));
    this.byId = new Map(this.audiences.map((a) => [a.id, a]));
    this.reads = ruleReads(this.audiences.map((a) => a.expression));
  }

  /** How many audiences the set holds. */
  get size(): number {
    return this.audiences.length;
  }

  /** The audience with `id`, or undefined. */
  get(id: string): Audience | undefined {
    return this.byId.get(id);
  }

  /** The ids of the audiences `view` belongs to, sorted; a failing rule means not a member. */
  evaluate(view: ProfileView, options?: EvaluateAudiencesOptions): string[] {
    const activation = createActivation(view);
    const members: string[] = [];
    for (const audience of this.audiences) {
      if (holds(audience, activation, options)) {
        members.push(audience.id);
      }
    }
    return members;
  }

  /**
   * The ids among `ids` of the audiences `view` belongs to, in the order
   * given: {@link evaluate} restricted to the audiences a caller reads. An
   * id the set does not define is not a membership.
   */
  evaluateSome(
    ids: readonly string[],
    view: ProfileView,
    options?: EvaluateAudiencesOptions,
  ): string[] {
    const members: string[] = [];
    if (ids.length === 0) return members;
    const activation = createActivation(view);
    for (const id of ids) {
      const audience = this.byId.get(id);
      if (audience !== undefined && holds(audience, activation, options)) members.push(id);
    }
    return members;
  }

  /**
   * Whether `view` belongs to audience `id`. Throws {@link UnknownAudienceError}
   * for an id the set does not define.
   */
  evaluateOne(id: string, view: ProfileView, options?: EvaluateAudiencesOptions): boolean {
    const audience = this.byId.get(id);
    if (audience === undefined) {
      throw new UnknownAudienceError(id);
    }
    return holds(audience, createActivation(view), options);
  }
}

function holds(
  audience: Audience,
  activation: RuleActivation,
  options: EvaluateAudiencesOptions | undefined,
): boolean {
  const result = audience.rule.eval(activation);
  if (result.ok) {
    return result.value;
  }
  options?.onError?.(audience.id, result.error);
  return false;
}

/** Code-unit order, the same everywhere (no locale). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
