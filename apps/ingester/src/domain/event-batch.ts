import { validateWidget } from '@hwp/sdui-schema';
import {
  checkSlotContent,
  decodeWidgetEvent,
  isSlotContentText,
  type DecodeResult,
  type SlotContent,
  type WidgetEvent,
} from '@hwp/widget-events';

/**
 * Decodes a stream entry and checks its content: a plain widget against the SDUI schema; a schedule or a
 * running experiment (docs/adr/0030-campaigns-in-the-read-path.md) against its shape, then each widget
 * inside it against the SDUI schema. A failure is a poison event: retrying cannot fix it, so it goes to the
 * dead-letter stream at once with this reason.
 */
export function classifyEntry(fields: string[]): DecodeResult {
  const decoded = decodeWidgetEvent(fields);
  if (!decoded.ok) return { ok: false, reason: `malformed event: ${decoded.reason}` };
  const { widget } = decoded.event;
  if (widget === null) return decoded;
  let json: unknown;
  try {
    json = JSON.parse(widget);
  } catch (error) {
    return { ok: false, reason: `widget is not JSON: ${(error as Error).message}` };
  }
  if (!isSlotContentText(widget)) {
    const problem = widgetProblem(json, '');
    return problem === undefined ? decoded : { ok: false, reason: `invalid widget: ${problem}` };
  }
  const check = checkSlotContent(json);
  if (!check.ok)
    return { ok: false, reason: `invalid slot content: ${check.pointer || '/'} ${check.detail}` };
  for (const [pointer, inner] of innerWidgets(check.content)) {
    const problem = widgetProblem(inner, pointer);
    if (problem !== undefined) return { ok: false, reason: `invalid widget in slot content: ${problem}` };
  }
  return decoded;
}

/** The first schema error of a widget, located from `pointer`; undefined for a valid widget. */
function widgetProblem(json: unknown, pointer: string): string | undefined {
  const validation = validateWidget(json);
  if (validation.ok) return undefined;
  const [first] = validation.errors;
  return `${pointer + (first?.path ?? '') || '/'} ${first?.message}`;
}

/** The widgets a schedule or an experiment holds, with where each sits (a deletion holds none). */
function innerWidgets(content: SlotContent): [string, unknown][] {
  if (content['~slot'] === 'schedule')
    return content.entries.flatMap(({ widget }, i) =>
      widget === null ? [] : [[`/entries/${i}/widget`, widget] as [string, unknown]],
    );
  return content.variants.map(({ widget }, i) => [`/variants/${i}/widget`, widget]);
}

const widgetKey = (event: WidgetEvent) => `${event.productId}\u0000${event.audience}`;

/**
 * The newest event of each (product, audience) in a batch: Postgres rejects two rows for one key in one
 * INSERT ... ON CONFLICT, and only the newest can win anyway. Sorted by key so concurrent ingesters lock
 * rows in the same order and cannot deadlock.
 */
export function latestPerWidget(events: WidgetEvent[]): WidgetEvent[] {
  const latest = new Map<string, WidgetEvent>();
  for (const event of events) {
    const key = widgetKey(event);
    const kept = latest.get(key);
    if (!kept || kept.dataVersion < event.dataVersion) latest.set(key, event);
  }
  return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, event]) => event);
}
