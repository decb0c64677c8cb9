import { Table, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../components/ui/table';
import type { ProductAnalytics } from '../server/studio-api';

/** Property values shown per property: the most counted (the CSV and the API have them all). */
const VALUES_SHOWN = 3;

interface EventTotal {
  event: string;
  count: number;
  /** Count per widget version ("generic v3"). */
  versions: Map<string, number>;
  /** Count per property and value. */
  properties: Map<string, Map<string, number>>;
}

const add = <K,>(map: Map<K, number>, key: K, count: number) => map.set(key, (map.get(key) ?? 0) + count);

function totals({ events, properties }: Pick<ProductAnalytics, 'events' | 'properties'>): EventTotal[] {
  const byName = new Map<string, EventTotal>();
  const total = (event: string) => {
    let found = byName.get(event);
    if (found === undefined) {
      found = { event, count: 0, versions: new Map(), properties: new Map() };
      byName.set(event, found);
    }
    return found;
  };
  for (const { event, audience, dataVersion, count } of events) {
    const found = total(event);
    found.count += count;
    add(found.versions, `${audience} v${dataVersion}`, count);
  }
  for (const { event, property, value, count } of properties) {
    const values = total(event).properties;
    let counts = values.get(property);
    if (counts === undefined) values.set(property, (counts = new Map()));
    add(counts, value, count);
  }
  return [...byName.values()].sort((a, b) => b.count - a.count || a.event.localeCompare(b.event));
}

const top = (counts: Map<string, number>, shown: number) =>
  [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, shown)
    .map(([name, count]) => `${name}: ${count}`)
    .join(', ');

/**
 * The track actions' events over the range: per event name its total, its count per widget version and
 * the most counted values of its counted properties. "(other)" is what the cardinality limits put together.
 */
export function TrackEventsTable(analytics: Pick<ProductAnalytics, 'events' | 'properties'>) {
  const rows = totals(analytics);
  if (rows.length === 0) return <p className="mt-4 text-sm text-muted">No track events yet.</p>;
  return (
    <Table dense className="mt-6">
      <TableCaption>Track events</TableCaption>
      <TableHeader>
        <TableHead>Event</TableHead>
        <TableHead>Count</TableHead>
        <TableHead>Per widget version</TableHead>
        <TableHead>Properties</TableHead>
      </TableHeader>
      <tbody>
        {rows.map((row) => (
          <TableRow key={row.event} className="align-top">
            <TableHead scope="row">{row.event}</TableHead>
            <TableCell>{row.count}</TableCell>
            <TableCell>{top(row.versions, row.versions.size)}</TableCell>
            <TableCell>
              {[...row.properties].map(([property, values]) => (
                <div key={property}>
                  {property} — {top(values, VALUES_SHOWN)}
                </div>
              ))}
            </TableCell>
          </TableRow>
        ))}
      </tbody>
    </Table>
  );
}
