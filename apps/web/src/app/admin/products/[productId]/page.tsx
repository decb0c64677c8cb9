import { canAccessProduct } from '@hwp/studio-auth';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import {
  ingestedWidgets,
  listWidgets,
  productAnalytics,
  type IngestedWidget,
} from '../../../../server/studio-api';
import { requestTime } from '../../../../server/request';
import { currentStudioSession } from '../../../../server/studio-session';
import { AnalyticsChart } from '../../../../studio/client/analytics-chart';
import { formatDuration, pipelineStatus } from '../../../../studio/pipeline-status';
import { StudioHeader } from '../../../../studio/studio-header';

export const dynamic = 'force-dynamic';

type Params = { productId: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: `${(await params).productId} · Studio` };
}

/** Widgets listed per page: the generic one first (audience order), then personalised ones. */
const PAGE_SIZE = 100;

const editHref = (productId: string, audience: string) =>
  `/admin/products/${productId}/edit?audience=${encodeURIComponent(audience)}`;
const historyHref = (productId: string, audience: string) =>
  `/admin/products/${productId}/history?audience=${encodeURIComponent(audience)}`;

/**
 * A product in the studio: its widgets with their versions and pipeline status (product-api's accepted
 * version next to core-api's ingested one), each with its history, and impressions, clicks and CTR per
 * widget version.
 */
export default async function ProductPage({ params }: { params: Promise<Params> }) {
  const [{ productId }, studio] = await Promise.all([params, currentStudioSession()]);
  if (studio === undefined) redirect('/admin?error=expired');
  if (!canAccessProduct(studio.session, productId)) notFound();

  const [listing, analytics] = await Promise.all([
    listWidgets(studio.token, productId, { limit: PAGE_SIZE }),
    productAnalytics(studio.token, productId),
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
        <p className="mt-3 text-muted">No widgets yet. Create the first one.</p>
      ) : (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">
              Widgets of {productId}: accepted and ingested versions and pipeline status
            </caption>
            <thead className="border-b border-border text-muted">
              <tr>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Audience
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Accepted
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Ingested
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Pipeline
                </th>
                <th scope="col" className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {widgets.map((widget) => {
                const delivered = ingestedByAudience.get(widget.audience);
                const status = pipelineStatus(widget, delivered, now);
                return (
                  <tr
                    key={widget.audience}
                    data-audience={widget.audience}
                    className="border-b border-border"
                  >
                    <th scope="row" className="py-2 pr-3 font-medium">
                      {widget.audience === 'generic'
                        ? 'Everyone (generic)'
                        : widget.audience.slice('user:'.length)}
                    </th>
                    <td className="py-2 pr-3">v{widget.dataVersion}</td>
                    <td className="py-2 pr-3">{delivered ? `v${delivered.dataVersion}` : '—'}</td>
                    <td className="py-2 pr-3" data-pipeline={status.state}>
                      {status.state === 'delivered'
                        ? `Delivered in ${formatDuration(status.lagMs)}`
                        : `${status.versionsBehind} behind for ${formatDuration(status.waitingMs)}`}
                    </td>
                    <td className="py-2 text-right whitespace-nowrap">
                      <Link href={editHref(productId, widget.audience)}>
                        Edit<span className="sr-only"> the widget of {widget.audience}</span>
                      </Link>{' '}
                      ·{' '}
                      <Link href={historyHref(productId, widget.audience)}>
                        History<span className="sr-only"> of the widget of {widget.audience}</span>
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {ingested?.ok === false && (
            <p className="mt-2 text-sm text-muted">Ingested versions are unavailable: {ingested.detail}</p>
          )}
          {listing.value.nextCursor !== null && (
            <p className="mt-2 text-sm text-muted">The first {PAGE_SIZE} widgets are shown.</p>
          )}
        </div>
      )}

      <h2 className="mt-10 text-lg font-semibold">Analytics, last 30 days</h2>
      {analytics.ok ? (
        <AnalyticsChart stats={analytics.value.stats} />
      ) : (
        <p className="mt-3">Analytics are unavailable right now: {analytics.detail}</p>
      )}
    </>
  );
}
