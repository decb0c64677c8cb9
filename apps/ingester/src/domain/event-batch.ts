import { validateWidget } from '@hwp/sdui-schema';
import { decodeWidgetEvent, type DecodeResult, type WidgetEvent } from '@hwp/widget-events';

/**
 * Decodes a stream entry and checks its widget against the SDUI schema. A failure is a poison event:
 * retrying cannot fix it, so it goes to the dead-letter stream at once with this reason.
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
  const validation = validateWidget(json);
  if (!validation.ok) {
    const [first] = validation.errors;
    return { ok: false, reason: `invalid widget: ${first?.path || '/'} ${first?.message}` };
  }
  return decoded;
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
