/**
 * The content the pipeline carries and stores for one (product, audience), besides a plain SDUI widget
 * (docs/adr/0030-campaigns-in-the-read-path.md):
 *
 * - a **schedule**: the versions of the slot that may still be shown, each with its window, newest first.
 *   product-api builds it in the write's transaction from the history, so every event carries the whole
 *   truth of its version and "the highest version wins" still holds downstream. A segment widget is
 *   always a schedule (its `acceptedAt` decides between segments);
 * - a **running experiment**: its audience, split and the variants' widgets (audience
 *   `experiment:<experimentId>`); a stopped experiment is a tombstone.
 *
 * A plain widget is the common case and stays as it was: always active, spliced as stored. Both other
 * forms are JSON objects with a `~slot` field, which no SDUI widget has (its objects are strict).
 */

/** One version of a slot and when it is shown: from `activeFrom` (inclusive) until `activeUntil` (exclusive). */
export interface ScheduledEntry {
  /** The version that published this entry. */
  dataVersion: number;
  /** Epoch ms (UTC); null: since ever. */
  activeFrom: number | null;
  /** Epoch ms (UTC); null: for ever. */
  activeUntil: number | null;
  /** When product-api accepted this version (epoch ms): between segments, the latest accepted wins. */
  acceptedAt: number;
  /** The SDUI widget root; null: a deletion (the slot falls back while it is active). */
  widget: Record<string, unknown> | null;
}

export interface ScheduleContent {
  '~slot': 'schedule';
  /** Newest first; see activeEntry for which is shown. */
  entries: ScheduledEntry[];
}

export interface ExperimentVariant {
  variantId: string;
  /** Share of the audience in basis points (the split adds up to 10,000). */
  basisPoints: number;
  widget: Record<string, unknown>;
}

export interface ExperimentContent {
  '~slot': 'experiment';
  experimentId: string;
  /** Who takes part: every user of the slot, or the members of one of the product's segments. */
  audience: 'everyone' | `segment:${string}`;
  /** Epoch ms. */
  startedAt: number;
  variants: ExperimentVariant[];
}

export type SlotContent = ScheduleContent | ExperimentContent;

const MARK = '{"~slot"';

/**
 * True when stored text is a schedule or an experiment, not a plain widget, from its first member alone:
 * `~slot` is written first, and Postgres's jsonb (which the outbox and the core database hold the content
 * in) orders members by key length, where no other member of either form is as short. The read path asks
 * this of every widget it loads, so it reads a few bytes rather than the whole text.
 */
export const isSlotContentText = (text: string): boolean => text.startsWith(MARK);

export type SlotContentCheck =
  | { ok: true; content: SlotContent }
  | { ok: false; pointer: string; detail: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isTimeOrNull = (value: unknown): value is number | null => value === null || isTime(value);
const ID = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * The shape of a parsed `~slot` object (the widgets inside are checked against the SDUI schema by whoever
 * validates widgets: product-api on write, the ingester on apply). Never throws.
 */
export function checkSlotContent(value: unknown): SlotContentCheck {
  const refuse = (pointer: string, detail: string): SlotContentCheck => ({ ok: false, pointer, detail });
  if (!isObject(value)) return refuse('', 'is not an object');
  if (value['~slot'] === 'schedule') {
    const entries = value['entries'];
    if (!Array.isArray(entries) || entries.length === 0)
      return refuse('/entries', 'must list at least one entry');
    let previous = Infinity;
    for (const [i, entry] of entries.entries()) {
      const at = `/entries/${i}`;
      if (!isObject(entry)) return refuse(at, 'is not an object');
      const { dataVersion, activeFrom, activeUntil, acceptedAt, widget } = entry;
      if (!Number.isSafeInteger(dataVersion) || (dataVersion as number) < 1)
        return refuse(`${at}/dataVersion`, 'must be a positive integer');
      if ((dataVersion as number) >= previous)
        return refuse(`${at}/dataVersion`, 'entries must be newest first');
      previous = dataVersion as number;
      if (!isTimeOrNull(activeFrom)) return refuse(`${at}/activeFrom`, 'must be epoch ms or null');
      if (!isTimeOrNull(activeUntil)) return refuse(`${at}/activeUntil`, 'must be epoch ms or null');
      if (activeFrom !== null && activeUntil !== null && activeUntil <= activeFrom)
        return refuse(`${at}/activeUntil`, 'must be after activeFrom');
      if (!isTime(acceptedAt)) return refuse(`${at}/acceptedAt`, 'must be epoch ms');
      if (widget !== null && !isObject(widget)) return refuse(`${at}/widget`, 'must be a widget or null');
    }
    return { ok: true, content: value as unknown as ScheduleContent };
  }
  if (value['~slot'] === 'experiment') {
    const { experimentId, audience, startedAt, variants } = value;
    if (typeof experimentId !== 'string' || !ID.test(experimentId))
      return refuse('/experimentId', 'must be an experiment id');
    if (
      audience !== 'everyone' &&
      !(typeof audience === 'string' && /^segment:[a-z][a-z0-9-]{0,39}$/.test(audience))
    )
      return refuse('/audience', 'must be "everyone" or "segment:<segmentId>"');
    if (!isTime(startedAt)) return refuse('/startedAt', 'must be epoch ms');
    if (!Array.isArray(variants) || variants.length < 2)
      return refuse('/variants', 'must list at least two variants');
    let total = 0;
    for (const [i, variant] of variants.entries()) {
      const at = `/variants/${i}`;
      if (!isObject(variant)) return refuse(at, 'is not an object');
      if (typeof variant['variantId'] !== 'string' || !ID.test(variant['variantId']))
        return refuse(`${at}/variantId`, 'must be a variant id');
      const share = variant['basisPoints'];
      if (!Number.isSafeInteger(share) || (share as number) < 0)
        return refuse(`${at}/basisPoints`, 'must be ≥ 0');
      total += share as number;
      if (!isObject(variant['widget'])) return refuse(`${at}/widget`, 'must be a widget');
    }
    if (total !== 10_000)
      return refuse('/variants', `the split adds up to ${total} basis points, not 10,000`);
    return { ok: true, content: value as unknown as ExperimentContent };
  }
  return refuse('/~slot', 'must be "schedule" or "experiment"');
}

/** When an entry is shown, which version it is and when it was accepted. */
export type ActiveWindow = Pick<ScheduledEntry, 'dataVersion' | 'activeFrom' | 'activeUntil' | 'acceptedAt'>;

/** Whether `entry` is shown at `now` (epoch ms). */
export const isActiveAt = (entry: ActiveWindow, now: number): boolean =>
  (entry.activeFrom === null || entry.activeFrom <= now) &&
  (entry.activeUntil === null || now < entry.activeUntil);

const isAlways = (entry: ActiveWindow) => entry.activeFrom === null && entry.activeUntil === null;
/** A campaign: a window with an end. */
const isCampaign = (entry: ActiveWindow) => entry.activeUntil !== null;
/** A launch: a window with a start and no end. */
const isLaunch = (entry: ActiveWindow) => entry.activeFrom !== null && entry.activeUntil === null;

/**
 * The slot's everyday version at `now` (entries newest first): the newest version without a window,
 * unless a launch that has opened became the everyday version after it: one accepted after it, or one
 * scheduled before it that opened after it was accepted (a launch set for Friday replaces Wednesday's
 * edit on Friday, and Monday's edit replaces the launch). Of several such launches, the one that became
 * everyday last (its start, or its acceptance if later).
 */
function everydayAt<E extends ActiveWindow>(entries: readonly E[], now: number): E | undefined {
  const plain = entries.find(isAlways);
  const since = (entry: E) => Math.max(entry.acceptedAt, entry.activeFrom ?? 0);
  let launch: E | undefined;
  for (const entry of entries) {
    if (!isLaunch(entry) || entry.activeFrom! > now) continue;
    if (plain !== undefined && entry.dataVersion < plain.dataVersion && entry.activeFrom! <= plain.acceptedAt)
      continue; // an edit accepted after it opened replaced it
    if (launch === undefined || since(entry) > since(launch)) launch = entry;
  }
  return launch ?? plain;
}

/**
 * The entry shown at `now` (entries newest first): an open campaign, the newest of them, which outranks
 * the everyday version whatever their order, so that republishing the everyday widget (a fix, a
 * product's scheduled pull) does not cancel a campaign; else the everyday version (everydayAt); undefined
 * when neither.
 */
export function activeEntry<E extends ActiveWindow>(entries: readonly E[], now: number): E | undefined {
  for (const entry of entries) if (isCampaign(entry) && isActiveAt(entry, now)) return entry;
  return everydayAt(entries, now);
}

/** The first time after `now` at which some entry's window opens or closes; undefined when none will. */
export function nextBoundary(entries: readonly ActiveWindow[], now: number): number | undefined {
  let next: number | undefined;
  for (const { activeFrom, activeUntil } of entries) {
    for (const time of [activeFrom, activeUntil])
      if (time !== null && time > now && (next === undefined || time < next)) next = time;
  }
  return next;
}

/**
 * The entries a new version's schedule keeps, newest first, from the new entry and `previous` (the slot's
 * versions before it, newest first): what activeEntry can still show at `now` or later. That is every
 * campaign that has not ended, every launch that has not opened, and the everyday version at `now` (any
 * other has been replaced for good). A deletion without a window withdraws everything: it keeps nothing
 * older, and nothing older than it counts. Used by product-api to build every write's content from the
 * history.
 */
export function scheduleAfter(
  entry: ScheduledEntry,
  previous: readonly ScheduledEntry[],
  now: number,
): ScheduledEntry[] {
  if (isAlways(entry) && entry.widget === null) return [entry];
  const candidates = [entry];
  for (const older of previous) {
    if (older.dataVersion >= entry.dataVersion) continue;
    if (isAlways(older) && older.widget === null) break;
    candidates.push(older);
  }
  const kept = candidates.filter(
    (candidate) =>
      (isCampaign(candidate) && candidate.activeUntil! > now) ||
      (isLaunch(candidate) && candidate.activeFrom! > now),
  );
  const everyday = everydayAt(candidates, now);
  if (everyday !== undefined && !kept.includes(everyday)) kept.push(everyday);
  return kept.sort((a, b) => b.dataVersion - a.dataVersion);
}

/** Whether a schedule holds only its everyday version: then it is delivered as that plain widget. */
export const isEverydayOnly = (entries: readonly ScheduledEntry[]): boolean =>
  entries.length === 1 && isAlways(entries[0]!);
