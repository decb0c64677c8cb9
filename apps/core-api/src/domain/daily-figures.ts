import type { DailyCount, TrackCount } from '@hwp/analytics-events';

/** A product's daily figures as one table: a row per day and widget version, a column per event name. */
export interface DailyFigures {
  header: string[];
  rows: (string | number)[][];
}

const EVENT_COLUMN_PREFIX = 'event:';
/** CTR in the export: a ratio with this many decimals (what a spreadsheet needs, not float noise). */
const CTR_DECIMALS = 4;

type VersionDay = Pick<DailyCount, 'day' | 'audience' | 'dataVersion'>;
const rowKey = ({ day, audience, dataVersion }: VersionDay) => `${day} ${audience} ${dataVersion}`;

/**
 * The export's table: day, audience, data version, impressions, clicks, CTR (empty without impressions),
 * then the count of each track event name seen in the range (`event:<name>`, in name order). Rows in day,
 * audience and numeric version order; a version with only track events has 0 impressions and clicks.
 */
export function dailyFigures(stats: readonly DailyCount[], events: readonly TrackCount[]): DailyFigures {
  const names = [...new Set(events.map(({ event }) => event))].sort();
  const rows = new Map<string, { key: VersionDay; impressions: number; clicks: number; events: number[] }>();
  const row = (key: VersionDay) => {
    let found = rows.get(rowKey(key));
    if (found === undefined) {
      found = { key, impressions: 0, clicks: 0, events: names.map(() => 0) };
      rows.set(rowKey(key), found);
    }
    return found;
  };
  for (const count of stats) {
    const found = row(count);
    found.impressions += count.impressions;
    found.clicks += count.clicks;
  }
  for (const count of events) row(count).events[names.indexOf(count.event)]! += count.count;

  const ordered = [...rows.values()].sort(
    (a, b) =>
      a.key.day.localeCompare(b.key.day) ||
      a.key.audience.localeCompare(b.key.audience) ||
      compareVersions(a.key.dataVersion, b.key.dataVersion),
  );
  return {
    header: [
      'day',
      'audience',
      'data_version',
      'impressions',
      'clicks',
      'ctr',
      ...names.map((name) => EVENT_COLUMN_PREFIX + name),
    ],
    rows: ordered.map(({ key, impressions, clicks, events: counts }) => [
      key.day,
      key.audience,
      key.dataVersion,
      impressions,
      clicks,
      impressions === 0 ? '' : (clicks / impressions).toFixed(CTR_DECIMALS),
      ...counts,
    ]),
  };
}

/** Decimal versions (up to 18 digits) in numeric order. */
const compareVersions = (a: string, b: string) => a.length - b.length || a.localeCompare(b);
