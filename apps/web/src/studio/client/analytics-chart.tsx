'use client';

import { useId, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Table, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../components/ui/table';
import type { WidgetDayStats } from '../../server/studio-api';

const versionKey = (row: Pick<WidgetDayStats, 'audience' | 'dataVersion'>) =>
  `${row.audience} v${row.dataVersion}`;
const percent = (ctr: number | null) => (ctr === null ? '—' : `${(ctr * 100).toFixed(1)} %`);

/**
 * Impressions, clicks and click-through rate over the days of one widget version at a time (a version is
 * its audience and data version), with the totals of every version in a table beside it.
 */
export function AnalyticsChart({ stats }: { stats: WidgetDayStats[] }) {
  const selectId = useId();
  const versions = useMemo(() => {
    const totals = new Map<string, { impressions: number; clicks: number }>();
    for (const row of stats) {
      const total = totals.get(versionKey(row)) ?? { impressions: 0, clicks: 0 };
      total.impressions += row.impressions;
      total.clicks += row.clicks;
      totals.set(versionKey(row), total);
    }
    return [...totals].map(([key, total]) => ({
      key,
      ...total,
      ctr: total.impressions > 0 ? total.clicks / total.impressions : null,
    }));
  }, [stats]);
  const [selected, setSelected] = useState(versions.at(-1)?.key);
  if (versions.length === 0) return <p className="mt-3 text-muted">No impressions or clicks yet.</p>;

  const days = stats
    .filter((row) => versionKey(row) === selected)
    .map((row) => ({ ...row, ctrPercent: row.ctr === null ? null : row.ctr * 100 }));

  return (
    <div className="mt-3 flex flex-col gap-4">
      <div className="flex items-center gap-2 text-sm">
        <label htmlFor={selectId} className="font-medium">
          Widget version
        </label>
        <select
          id={selectId}
          value={selected}
          onChange={(event) => setSelected(event.target.value)}
          className="h-9 rounded-md border border-border bg-surface-raised px-2"
        >
          {versions.map((version) => (
            <option key={version.key}>{version.key}</option>
          ))}
        </select>
      </div>
      <figure className="h-64 w-full" aria-label={`Impressions, clicks and CTR per day of ${selected}`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" />
            <XAxis dataKey="day" stroke="var(--color-muted)" fontSize={12} />
            <YAxis yAxisId="count" allowDecimals={false} stroke="var(--color-muted)" fontSize={12} />
            <YAxis yAxisId="ctr" orientation="right" unit="%" stroke="var(--color-muted)" fontSize={12} />
            <Tooltip
              contentStyle={{ background: 'var(--color-surface-raised)', borderColor: 'var(--color-border)' }}
            />
            <Legend />
            <Line yAxisId="count" dataKey="impressions" name="Impressions" stroke="var(--color-primary)" />
            <Line yAxisId="count" dataKey="clicks" name="Clicks" stroke="var(--color-secondary)" />
            <Line
              yAxisId="ctr"
              dataKey="ctrPercent"
              name="CTR (%)"
              stroke="var(--color-accent)"
              strokeDasharray="4 2"
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <Table dense>
        <TableCaption>Totals per widget version</TableCaption>
        <TableHeader>
          <TableHead>Version</TableHead>
          <TableHead>Impressions</TableHead>
          <TableHead>Clicks</TableHead>
          <TableHead>CTR</TableHead>
        </TableHeader>
        <tbody>
          {versions.map((version) => (
            <TableRow key={version.key}>
              <TableHead scope="row">{version.key}</TableHead>
              <TableCell>{version.impressions}</TableCell>
              <TableCell>{version.clicks}</TableCell>
              <TableCell>{percent(version.ctr)}</TableCell>
            </TableRow>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
