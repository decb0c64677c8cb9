import { isDeepStrictEqual } from 'node:util';
import type { Widget } from '@hwp/sdui-schema';
import {
  GENERIC,
  checkSlotContent,
  segmentAudience,
  type Audience,
  type ExperimentContent,
} from '@hwp/widget-events';
import type { Caller } from './audit';
import { onePage } from './pages';
import type { KeyPage } from './segments';

// A product's A/B(/n) experiments on its slot (docs/adr/0029-experiments.md). Users are assigned to a
// variant by libs/experiments' stable hash; this is where experiments are defined and moved on.

export type ExperimentState = 'draft' | 'running' | 'stopped';
/** "everyone", or "segment:<segmentId>". */
export type ExperimentAudience = 'everyone' | `segment:${string}`;

export interface Variant {
  variantId: string;
  basisPoints: number;
  widget: Widget;
}

/** What a team submits: the whole definition and the state it wants the experiment in. */
export interface ExperimentDefinition {
  name: string;
  audience: ExperimentAudience;
  /** The first is the control. */
  variants: Variant[];
  state: ExperimentState;
}

export interface Experiment extends ExperimentDefinition {
  productId: string;
  experimentId: string;
  /** Grows by one with every accepted change; orders the experiment's events on the core side. */
  dataVersion: number;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  stoppedAt: Date | null;
}

/** What the audit log records of an accepted change. */
export type ExperimentAction = 'define-experiment' | 'start-experiment' | 'stop-experiment';

/** Why a change is refused; `pointer` names the body's field, or undefined for a path's experiment. */
export type Refusal =
  | { reason: 'invalid'; pointer: string; detail: string }
  | { reason: 'conflict'; pointer: string; detail: string }
  | { reason: 'unknown-experiment'; experimentId: string; detail: string };

/** `action` undefined: the request changes nothing, and nothing is written. */
export type Decision =
  | { ok: true; next: ExperimentDefinition; action?: ExperimentAction }
  | ({ ok: false } & Refusal);

/** The winner's publish: its widget, for the generic widget (everyone) or the segment's widget. */
export type WinnerOutcome =
  | { ok: true; widget: Widget; audience: Audience }
  | { ok: false; reason: 'unknown-experiment'; experimentId: string; detail: string }
  | { ok: false; reason: 'unknown-variant' | 'not-stopped'; detail: string };

export type SaveOutcome = { ok: true; experiment: Experiment } | ({ ok: false } & Refusal);

/** Port: the experiments, in the product database. */
export interface ExperimentStore {
  /**
   * In ONE transaction with the experiment's row locked: asks `decide` what becomes of it, checks that a
   * segment audience exists (and keeps it from being deleted meanwhile), saves the result with its audit
   * record. A second running experiment for the product and audience is refused by the database's partial
   * unique index, however the two starts interleave.
   */
  save(
    productId: string,
    experimentId: string,
    decide: (current: Experiment | undefined) => Decision,
    caller: Caller,
    traceparent?: string,
  ): Promise<SaveOutcome>;
  get(productId: string, experimentId: string): Promise<Experiment | undefined>;
  /** Up to `limit` experiments after `after`, in id order. */
  find(productId: string, after: string | undefined, limit: number): Promise<Experiment[]>;
}

export const EXPERIMENT_STORE = Symbol('ExperimentStore');

/**
 * The rule of an experiment's life: a draft may change in every way; once running, its variants, split and
 * audience are fixed (changing them would move users between variants and mix the figures), and it may only
 * stop; stopped is final. Re-sending the current definition is accepted (idempotent); the name may change
 * at any time.
 */
export function decideChange(current: Experiment | undefined, requested: ExperimentDefinition): Decision {
  if (current && isDeepStrictEqual(definitionOf(current), requested)) return { ok: true, next: requested };
  const action = actionOf(current?.state, requested.state);
  if (!current) {
    if (requested.state === 'stopped')
      return refuse('invalid', '/state', 'a new experiment starts as draft or running');
    return { ok: true, next: requested, action };
  }
  if (current.state === 'draft') return { ok: true, next: requested, action };
  if (requested.state === 'draft')
    return refuse(
      'conflict',
      '/state',
      `experiment ${current.experimentId} is ${current.state}; it cannot go back to draft`,
    );
  if (current.state === 'stopped' && requested.state === 'running')
    return refuse('conflict', '/state', `experiment ${current.experimentId} is stopped; define a new one`);
  for (const field of ['audience', 'variants'] as const)
    if (!isDeepStrictEqual(current[field], requested[field]))
      return refuse(
        'conflict',
        `/${field}`,
        `experiment ${current.experimentId} is ${current.state}: its ${field} cannot change (users would ` +
          'move between variants); stop it and define a new one',
      );
  return { ok: true, next: requested, action };
}

/**
 * What the core side must learn of a saved change (docs/adr/0030-campaigns-in-the-read-path.md): the
 * experiment's content when it starts running, a tombstone (null) when a running experiment stops, and
 * nothing otherwise (a draft, a rename, a draft stopped before it ever ran).
 */
export function deliveryOf(
  before: ExperimentState | undefined,
  saved: Experiment,
): { content: ExperimentContent | null } | undefined {
  if (saved.state === 'running' && before !== 'running') return { content: contentOf(saved) };
  if (saved.state === 'stopped' && before === 'running') return { content: null };
  return undefined;
}

/** A running experiment as the pipeline carries it: audience, start and each variant's share and widget. */
export function contentOf(experiment: Experiment): ExperimentContent {
  const { experimentId, audience, startedAt, variants } = experiment;
  if (!startedAt) throw new Error(`experiment ${experimentId} has not started`);
  const content: ExperimentContent = {
    '~slot': 'experiment',
    experimentId,
    audience,
    startedAt: startedAt.getTime(),
    variants: variants.map(({ variantId, basisPoints, widget }) => ({
      variantId,
      basisPoints,
      widget: widget as unknown as Record<string, unknown>,
    })),
  };
  // The definition was validated at the door; a content the core side would refuse is a bug here.
  const check = checkSlotContent(content);
  if (!check.ok) throw new Error(`experiment ${experimentId}: content ${check.pointer} ${check.detail}`);
  return content;
}

/** Stopping keeps the definition; stopping a stopped experiment changes nothing. */
export function decideStop(current: Experiment | undefined, experimentId: string): Decision {
  if (!current)
    return { ok: false, reason: 'unknown-experiment', experimentId, detail: `no experiment ${experimentId}` };
  return decideChange(current, { ...definitionOf(current), state: 'stopped' });
}

function actionOf(from: ExperimentState | undefined, to: ExperimentState): ExperimentAction {
  if (to === 'running' && from !== 'running') return 'start-experiment';
  if (to === 'stopped' && from !== 'stopped') return 'stop-experiment';
  return 'define-experiment';
}

const refuse = (reason: 'invalid' | 'conflict', pointer: string, detail: string): Decision => ({
  ok: false,
  reason,
  pointer,
  detail,
});

const definitionOf = ({ name, audience, variants, state }: Experiment): ExperimentDefinition => ({
  name,
  audience,
  variants,
  state,
});

/** The experiment use cases; HTTP concerns stay in the controller. */
export class Experiments {
  constructor(private readonly store: ExperimentStore) {}

  put(
    productId: string,
    experimentId: string,
    requested: ExperimentDefinition,
    caller: Caller,
    traceparent?: string,
  ) {
    const decide = (current: Experiment | undefined) => decideChange(current, requested);
    return this.store.save(productId, experimentId, decide, caller, traceparent);
  }

  stop(productId: string, experimentId: string, caller: Caller, traceparent?: string) {
    const decide = (current: Experiment | undefined) => decideStop(current, experimentId);
    return this.store.save(productId, experimentId, decide, caller, traceparent);
  }

  get(productId: string, experimentId: string): Promise<Experiment | undefined> {
    return this.store.get(productId, experimentId);
  }

  /**
   * What "publish the winner" publishes, an ordinary publish: only once the experiment has stopped (while
   * it runs, its variants are what its audience sees); the variant's widget becomes the generic widget for
   * an experiment for everyone, the segment's widget for a segment's.
   */
  async winner(productId: string, experimentId: string, variantId: string): Promise<WinnerOutcome> {
    const experiment = await this.store.get(productId, experimentId);
    if (!experiment)
      return {
        ok: false,
        reason: 'unknown-experiment',
        experimentId,
        detail: `no experiment ${experimentId}`,
      };
    const variant = experiment.variants.find((candidate) => candidate.variantId === variantId);
    if (!variant)
      return { ok: false, reason: 'unknown-variant', detail: `${experimentId} has no variant ${variantId}` };
    if (experiment.state !== 'stopped')
      return {
        ok: false,
        reason: 'not-stopped',
        detail: `experiment ${experimentId} is ${experiment.state}; stop it first`,
      };
    const audience =
      experiment.audience === 'everyone'
        ? GENERIC
        : segmentAudience(experiment.audience.slice('segment:'.length));
    return { ok: true, widget: variant.widget, audience };
  }

  async list(productId: string, after: string | undefined, limit: number): Promise<KeyPage<Experiment>> {
    const rows = await this.store.find(productId, after, limit + 1);
    const { page, last } = onePage(rows, limit);
    return { items: page, next: last?.experimentId };
  }
}
