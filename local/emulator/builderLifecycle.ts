import {
  type BuilderFate,
  type DeleteFate,
  defaultState,
  fatedState,
  type StopFate,
  settledState,
} from './builderFates.js';
import { ServiceError } from './errors.js';
import type { OperationContext } from './operation.js';
import type { ImageBuilderRecord, JsonObject } from './state.js';

/**
 * The AppStream image builder state machine (com.amazonaws.appstream#ImageBuilderState):
 * CreateImageBuilder PENDING -> RUNNING, StopImageBuilder RUNNING -> STOPPING -> STOPPED,
 * StartImageBuilder STOPPED -> PENDING -> RUNNING (the enum has no STARTING),
 * DeleteImageBuilder RUNNING | STOPPED | FAILED -> DELETING -> gone. States are computed on read
 * from the latest transition (or the creation), no timers run.
 */
export type BuilderTransition =
  | { kind: 'stop'; atMs: number; fate: StopFate }
  | { kind: 'start'; atMs: number; fate: BuilderFate }
  | { kind: 'delete'; atMs: number; fate: DeleteFate };

export type TransitionKind = BuilderTransition['kind'];

/** What a builder shows while a transition runs, and what the transition's answer carries. */
export const INTERIM_STATE: Readonly<Record<TransitionKind, string>> = {
  stop: 'STOPPING',
  start: 'PENDING',
  delete: 'DELETING',
};

/** The states each transition starts from; other states refuse it (see `refusal`). */
const STARTS_FROM: Readonly<Record<TransitionKind, readonly string[]>> = {
  stop: ['RUNNING'],
  start: ['STOPPED'],
  delete: ['RUNNING', 'STOPPED', 'FAILED'],
};

/** States a builder keeps until it is acted on; every other state is on its way somewhere. */
const RESTING_STATES: readonly string[] = ['RUNNING', 'STOPPED', 'FAILED'];

/** The builder's state members, or undefined once a delete has completed. */
function transitionState(transition: BuilderTransition, nowMs: number): JsonObject | undefined {
  const interim = { State: INTERIM_STATE[transition.kind] };
  const { fate } = transition;
  if (!('afterMs' in fate) || nowMs < transition.atMs + fate.afterMs) return interim;
  const atMs = transition.atMs + fate.afterMs;
  switch (transition.kind) {
    case 'stop':
      return { State: 'STOPPED' };
    case 'delete':
      return undefined;
    case 'start':
      return transition.fate.fate === 'PENDING' ? interim : settledState(transition.fate, atMs);
  }
}

/**
 * `State` (with `StateChangeReason` and `ImageBuilderErrors` once FAILED) of a builder now, or
 * undefined when a delete has completed. Without a transition: PENDING, then RUNNING once
 * `appstreamReadyDelayMs` has passed, unless the control API gave its name a creation fate.
 */
export function builderState(
  record: ImageBuilderRecord,
  context: OperationContext,
): JsonObject | undefined {
  const nowMs = context.now().getTime();
  if (record.transition) return transitionState(record.transition, nowMs);
  const delayMs = context.appstreamReadyDelayMs;
  const fate = context.store.builderFates.get(String(record.builder.Name));
  return fate?.fate
    ? fatedState(fate.fate, fate.setAtMs, record.createdAtMs, nowMs, delayMs)
    : { State: defaultState(record.createdAtMs, nowMs, delayMs) };
}

/** An existing builder with its current state members. */
export interface LiveBuilder {
  record: ImageBuilderRecord;
  state: JsonObject;
}

/** The builder named `name`, unless there is none or its delete has completed (then forgotten). */
export function liveBuilder(context: OperationContext, name: string): LiveBuilder | undefined {
  const record = context.store.imageBuilders.get(name);
  if (!record) return undefined;
  const state = builderState(record, context);
  if (state) return { record, state };
  context.store.imageBuilders.delete(name);
  return undefined;
}

/** Every existing builder, by name (forgetting those whose delete has completed). */
export function liveBuilders(context: OperationContext): LiveBuilder[] {
  return [...context.store.imageBuilders.keys()]
    .sort()
    .flatMap((name) => liveBuilder(context, name) ?? []);
}

/** DescribeImageBuilders' answer for an unknown name (and every lifecycle operation's). */
export function builderNotFound(name: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Image builder '${name}' not found.`);
}

const ACTION: Readonly<Record<TransitionKind, string>> = {
  stop: 'stopped',
  start: 'started',
  delete: 'deleted',
};

/**
 * Why `kind` is refused in `state`: ConcurrentModificationException while the builder is on its
 * way to another state (try again later); in a resting state, OperationNotPermittedException for
 * a stop (a modelled error of StopImageBuilder) and ResourceNotAvailableException for a start
 * (StartImageBuilder's list has no OperationNotPermittedException).
 */
function refusal(kind: TransitionKind, name: string, state: string): ServiceError {
  const allowed = STARTS_FROM[kind].join(', ');
  const detail = `Image builder '${name}' is ${state} and cannot be ${ACTION[kind]}`;
  if (!RESTING_STATES.includes(state)) {
    return new ServiceError(
      'ConcurrentModificationException',
      `${detail} until it is ${allowed}. Wait a few minutes and try again.`,
    );
  }
  return new ServiceError(
    kind === 'start' ? 'ResourceNotAvailableException' : 'OperationNotPermittedException',
    `${detail}: only a builder that is ${allowed} can be.`,
  );
}

/** The transition `kind` from `atMs`: the name's control-API fate for it, else the default. */
function transition(
  context: OperationContext,
  kind: TransitionKind,
  name: string,
  atMs: number,
): BuilderTransition {
  const behaviour = context.store.builderFates.get(name);
  const afterMs = context.appstreamTransitionDelaysMs[kind];
  switch (kind) {
    case 'stop':
      return { kind, atMs, fate: behaviour?.stop ?? { fate: 'STOPPED', afterMs } };
    case 'start':
      return { kind, atMs, fate: behaviour?.start ?? { fate: 'RUNNING', afterMs } };
    case 'delete':
      return { kind, atMs, fate: behaviour?.delete ?? { fate: 'DELETED', afterMs } };
  }
}

/**
 * Starts `kind` on the builder named `name` (ResourceNotFoundException if there is none, see
 * `refusal` for a state it cannot start from) and answers with the builder in its interim state.
 * The transition's fate is read now: a fate set later applies to the next transition.
 */
export function beginTransition(
  context: OperationContext,
  kind: TransitionKind,
  name: string,
): ImageBuilderRecord {
  const live = liveBuilder(context, name);
  if (!live) throw builderNotFound(name);
  const state = String(live.state.State);
  if (!STARTS_FROM[kind].includes(state)) throw refusal(kind, name, state);
  live.record.transition = transition(context, kind, name, context.now().getTime());
  return live.record;
}
