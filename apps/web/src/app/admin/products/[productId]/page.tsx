import { canAccessProduct } from '@hwp/studio-auth';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import {
  ingestedWidgets,
  listExperiments,
  listWidgets,
  productAnalytics,
  type IngestedWidget,
} from '../../../../server/studio-api';
import { Table, TableCell, TableHead, TableHeader, TableRow } from '../../../../components/ui/table';
import { requestTime } from '../../../../server/request';
import { currentStudioSession } from '../../../../server/studio-session';
import { AnalyticsChart } from '../../../../studio/client/analytics-chart';
import { ExperimentList } from '../../../../studio/experiment-list';
import { formatDuration, pipelineStatus } from '../../../../studio/pipeline-status';
import { StudioHeader } from '../../../../studio/studio-header';
import { TrackEventsTable } from '../../../../studio/track-events-table';

export const dynamic = 'force-dynamic';

type Params = { productId: string };
/** `cursor`: the widgets' page; `experiments`: the experiments' page. */
type Search = { cursor?: string; experiments?: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: `${(await params).productId} · Studio` };
}

/**
 * Widgets listed per page: the generic one first (audience order), then personalised ones, a page at a time
 * by product-api's cursor, so a product with millions of users costs one page.
 */
const PAGE_SIZE = 100;

const EXPERIMENTS_PER_PAGE = 20;

const editHref = (productId: string, audience: string) =>
  `/admin/products/${productId}/edit?audience=${encodeURIComponent(audience)}`;
const historyHref = (productId: string, audience: string) =>
  `/admin/products/${productId}/history?audience=${encodeURIComponent(audience)}`;
const audienceLabel = (audience: string) =>
  audience === 'generic'
    ? 'Everyone (generic)'
    : audience.startsWith('segment:')
      ? `Segment ${audience.slice('segment:'.length)}`
      : audience.slice('user:'.length);
const exportHref = (productId: string, { from, to }: { from: string; to: string }) =>
  `/admin/products/${productId}/export?from=${from}&to=${to}`;

/**
 * A product in the studio: its widgets with their versions and pipeline status (product-api's accepted
 * version next to core-api's ingested one), each with its history, a page at a time; its experiments;
 * impressions, clicks, CTR and track events per widget version, and their CSV export.
 */
export default async function ProductPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<Search>;
}) {
  const [{ productId }, { cursor, experiments: experimentCursor }, studio] = await Promise.all([
    params,
    searchParams,
    currentStudioSession(),
  ]);
  if (studio === undefined) redirect('/admin?error=expired');
  if (!canAccessProduct(studio.session, productId)) notFound();

  const [listing, analytics, experiments] = await Promise.all([
    listWidgets(studio.token, productId, { limit: PAGE_SIZE, cursor }),
    productAnalytics(studio.token, productId),
    listExperiments(studio.token, productId, { limit: EXPERIMENTS_PER_PAGE, cursor: experimentCursor }),
  ]);
  const widgets = listing.ok ? listing.value.widgets : [];
  const ingested =
    widgets.length > 0
      ? await ingestedWidgets(
          studio.token,
          productId,
          widgets.map((widget) => widget.audience),
        )
      : undefined;
  const ingestedByAudience = new Map<string, IngestedWidget>(
    ingested?.ok ? ingested.value.widgets.map((widget) => [widget.audience, widget]) : [],
  );
  const now = requestTime();

  return (
    <>
      <StudioHeader session={studio.session} title={productId}>
        <p className="text-sm text-muted">
          <Link href="/admin">Studio</Link> › product ·{' '}
          <Link href={`/admin/audit?productId=${encodeURIComponent(productId)}`}>audit log</Link>
        </p>
      </StudioHeader>

      <div className="mt-6 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">Widgets</h2>
        <Link
          href={`/admin/products/${productId}/edit`}
          className="rounded-md bg-primary px-4 py-2 text-sm font-medium text-on-primary no-underline hover:bg-primary/90 hover:no-underline"
        >
          New widget
        </Link>
      </div>
      {!listing.ok ? (
        <p role="alert" className="mt-3 text-on-surface">
          The widgets cannot be listed right now: {listing.detail}
        </p>
      ) : widgets.length === 0 ? (
        <p className="mt-3 text-muted">
          {cursor === undefined ? (
            'No widgets yet. Create the first one.'
          ) : (
            <>
              No more widgets. <Link href={`/admin/products/${productId}`}>First page</Link>
            </>
          )}
        </p>
      ) : (
        <div className="mt-3 overflow-x-auto">
          <Table>
            <caption className="sr-only">
              Widgets of {productId}: accepted and ingested versions and pipeline status
            </caption>
            <TableHeader>
              <TableHead>Audience</TableHead>
              <TableHead>Accepted</TableHead>
              <TableHead>Ingested</TableHead>
              <TableHead>Pipeline</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableHeader>
            <tbody>
              {widgets.map((widget) => {
                const delivered = ingestedByAudience.get(widget.audience);
                const status = pipelineStatus(widget, delivered, now);
                return (
                  <TableRow key={widget.audience} data-audience={widget.audience}>
                    <TableHead scope="row">{audienceLabel(widget.audience)}</TableHead>
                    <TableCell>v{widget.dataVersion}</TableCell>
                    <TableCell>{delivered ? `v${delivered.dataVersion}` : '—'}</TableCell>
                    <TableCell data-pipeline={status.state}>
                      {status.state === 'delivered'
                        ? `Delivered in ${formatDuration(status.lagMs)}`
                        : `${status.versionsBehind} behind for ${formatDuration(status.waitingMs)}`}
                    </TableCell>
                    <TableCell className="text-right whitespace-nowrap">
                      <Link href={editHref(productId, widget.audience)}>
                        Edit<span className="sr-only"> the widget of {widget.audience}</span>
                      </Link>{' '}
                      ·{' '}
                      <Link href={historyHref(productId, widget.audience)}>
                        History<span className="sr-only"> of the widget of {widget.audience}</span>
                      </Link>
                    </TableCell>
                  </TableRow>
                );
              })}
            </tbody>
          </Table>
          {ingested?.ok === false && (
            <p className="mt-2 text-sm text-muted">Ingested versions are unavailable: {ingested.detail}</p>
          )}
          <nav aria-label="Widget pages" className="mt-2 flex gap-4 text-sm">
            {cursor !== undefined && <Link href={`/admin/products/${productId}`}>First page</Link>}
            {listing.value.nextCursor !== null && (
              <Link
                href={`/admin/products/${productId}?cursor=${encodeURIComponent(listing.value.nextCursor)}`}
              >
                Next {PAGE_SIZE} widgets
              </Link>
            )}
          </nav>
        </div>
      )}

      <h2 className="mt-10 text-lg font-semibold">Experiments</h2>
      <ExperimentList productId={productId} listing={experiments} />

      <div className="mt-10 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">Analytics, last 30 days</h2>
        {analytics.ok && (
          <a
            href={exportHref(productId, analytics.value)}
            download
            className="rounded-md border border-border px-4 py-2 text-sm font-medium no-underline hover:bg-surface-raised hover:no-underline"
          >
            Download CSV<span className="sr-only"> of the daily figures</span>
          </a>
        )}
      </div>
      {analytics.ok ? (
        <>
          <AnalyticsChart stats={analytics.value.stats} />
          <TrackEventsTable events={analytics.value.events} properties={analytics.value.properties} />
        </>
      ) : (
        <p className="mt-3">Analytics are unavailable right now: {analytics.detail}</p>
      )}
    </>
  );
}
