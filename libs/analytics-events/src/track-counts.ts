import { statsAudience, utcDay, type AnalyticsEvent, type StatsAudience } from './analytics-event';

// Track events are counted with bounded cardinality (docs/analytics.md): a widget's author chooses event
// names and property values freely, and an id in a property must not grow the tables by a row per user.

/** Distinct event names counted per product and UTC day; later new names count as OVERFLOW. */
export const MAX_EVENT_NAMES_PER_PRODUCT_DAY = 50;
/** Properties counted per event: the first ones in key order; the others are accepted, not counted. */
export const MAX_COUNTED_PROPERTIES_PER_EVENT = 3;
/** Distinct values counted per product, day, event name and property; later new values count as OVERFLOW. */
export const MAX_VALUES_PER_PROPERTY_DAY = 100;
/** The name and value counted beyond a limit: never a valid event name or a value's own bucket. */
export const OVERFLOW = '(other)';

type TrackEvent = Extract<AnalyticsEvent, { type: 'track' }>;

/** Track events of one event name on one widget version (product, stats audience, data version) and UTC day. */
export interface TrackCount {
  productId: string;
  audience: StatsAudience;
  dataVersion: string;
  day: string;
  event: string;
  count: number;
}

/** Track events of one event name per product and UTC day that had `property` set to `value`. */
export interface PropertyCount {
  productId: string;
  day: string;
  event: string;
  property: string;
  value: string;
  count: number;
}

export interface TrackCounts {
  events: TrackCount[];
  properties: PropertyCount[];
}

const trackKey = (c: Omit<TrackCount, 'count'>) =>
  `${c.productId} ${c.day} ${c.audience} ${c.dataVersion} ${c.event}`;
const propertyKey = (c: Omit<PropertyCount, 'count'>) =>
  `${c.productId} ${c.day} ${c.event} ${c.property} ${c.value}`;
/** The group a name limit applies to: event names per product-day, values per product-day-event-property. */
export const eventNameGroup = (c: { productId: string; day: string }) => `${c.productId} ${c.day}`;
export const propertyValueGroup = (c: { productId: string; day: string; event: string; property: string }) =>
  `${c.productId} ${c.day} ${c.event} ${c.property}`;

function sum<T extends { count: number }>(counts: Iterable<T>, key: (count: T) => string): T[] {
  const sums = new Map<string, T>();
  for (const count of counts) {
    const known = sums.get(key(count));
    if (known === undefined) sums.set(key(count), { ...count });
    else known.count += count.count;
  }
  return [...sums.values()];
}

/** The track events summed per widget version, day and event name, and their counted properties. */
export function trackCounts(events: readonly AnalyticsEvent[]): TrackCounts {
  const tracks = events.filter((event): event is TrackEvent => event.type === 'track');
  return {
    events: sum(
      tracks.map((track) => ({
        productId: track.productId,
        audience: statsAudience(track),
        dataVersion: track.dataVersion,
        day: utcDay(track.at),
        event: track.event,
        count: 1,
      })),
      trackKey,
    ),
    properties: sum(
      tracks.flatMap(({ productId, at, event, properties = {} }) =>
        Object.keys(properties)
          .sort()
          .slice(0, MAX_COUNTED_PROPERTIES_PER_EVENT)
          .map((property) => ({
            productId,
            day: utcDay(at),
            event,
            property,
            value: properties[property] ?? '',
            count: 1,
          })),
      ),
      propertyKey,
    ),
  };
}

/** The names the store counts already: event names per eventNameGroup, values per propertyValueGroup. */
export interface CountedNames {
  events: ReadonlyMap<string, ReadonlySet<string>>;
  values: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface BoundedTrackCounts extends TrackCounts {
  /** Events counted under OVERFLOW: with an event name beyond the limit, or a value beyond it. */
  overflow: { eventNames: number; propertyValues: number };
}

/** Names per group up to a limit: a name already counted stays, a new one is counted while there is room. */
class NameLimit {
  private readonly groups = new Map<string, Set<string>>();

  constructor(
    counted: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly limit: number,
  ) {
    for (const [group, names] of counted) this.groups.set(group, new Set(names));
  }

  /** `name`, when its group counts it or has room for it (admitting it); else OVERFLOW. */
  admit(group: string, name: string): string {
    let names = this.groups.get(group);
    if (names === undefined) this.groups.set(group, (names = new Set()));
    if (names.has(name)) return name;
    if (names.size - (names.has(OVERFLOW) ? 1 : 0) >= this.limit) return OVERFLOW;
    names.add(name);
    return name;
  }
}

const byName =
  <T>(name: (item: T) => string) =>
  (a: T, b: T) =>
    name(a) < name(b) ? -1 : 1;

/**
 * The counts with the cardinality limits applied, given what is counted already: a new event name beyond
 * MAX_EVENT_NAMES_PER_PRODUCT_DAY and a new value beyond MAX_VALUES_PER_PROPERTY_DAY count as OVERFLOW; the
 * properties of an event counted as OVERFLOW are not counted. New names are admitted in name order, so
 * the outcome does not depend on the order of the events.
 */
export function boundTrackCounts(counts: TrackCounts, counted: CountedNames): BoundedTrackCounts {
  const overflow = { eventNames: 0, propertyValues: 0 };
  const eventNames = new NameLimit(counted.events, MAX_EVENT_NAMES_PER_PRODUCT_DAY);
  const values = new NameLimit(counted.values, MAX_VALUES_PER_PROPERTY_DAY);
  const events = sum(
    [...counts.events].sort(byName(trackKey)).map((count) => {
      const event = eventNames.admit(eventNameGroup(count), count.event);
      if (event === OVERFLOW) overflow.eventNames += count.count;
      return { ...count, event };
    }),
    trackKey,
  );
  const properties = sum(
    [...counts.properties]
      .sort(byName(propertyKey))
      .filter((count) => eventNames.admit(eventNameGroup(count), count.event) === count.event)
      .map((count) => {
        const value = values.admit(propertyValueGroup(count), count.value);
        if (value === OVERFLOW) overflow.propertyValues += count.count;
        return { ...count, value };
      }),
    propertyKey,
  );
  return { events, properties, overflow };
}
