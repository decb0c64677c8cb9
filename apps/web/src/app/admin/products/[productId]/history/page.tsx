import { canAccessProduct } from '@hwp/studio-auth';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { widgetHistory, type WidgetVersion } from '../../../../../server/studio-api';
import { currentStudioSession } from '../../../../../server/studio-session';
import { RollbackButton } from '../../../../../studio/client/rollback-button';
import { StudioHeader } from '../../../../../studio/studio-header';
import { VersionDiff } from '../../../../../studio/version-diff';

export const dynamic = 'force-dynamic';

type Params = { productId: string };
type Search = { audience?: string; cursor?: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: `History of a widget of ${(await params).productId} · Studio` };
}

/** Versions per page. */
const PAGE_SIZE = 20;

const AUDIENCE = /^(generic|user:.+|segment:.+)$/;

const describeActor = ({ kind, id }: WidgetVersion['actor']) =>
  kind === 'key' ? `API key ${id}` : `studio session of ${id}`;

const utc = (time: string) => `${time.replace('T', ' ').slice(0, 19)} UTC`;

/** When a version is shown; undefined for one without a window (always, once accepted). */
function describeWindow({ activeFrom, activeUntil }: WidgetVersion): string | undefined {
  if (activeFrom === null && activeUntil === null) return undefined;
  const from = activeFrom === null ? 'once accepted' : `from ${utc(activeFrom)}`;
  return `Shown ${from} ${activeUntil === null ? 'on' : `until ${utc(activeUntil)}`}`;
}

/**
 * One widget's accepted versions, newest first, each with what it changed against the version before and
 * a rollback that publishes it again as a new version.
 */
export default async function WidgetHistoryPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<Search>;
}) {
  const [{ productId }, { audience = 'generic', cursor }, studio] = await Promise.all([
    params,
    searchParams,
    currentStudioSession(),
  ]);
  if (studio === undefined) redirect('/admin?error=expired');
  if (!canAccessProduct(studio.session, productId) || !AUDIENCE.test(audience)) notFound();

  const history = await widgetHistory(studio.token, productId, audience, { limit: PAGE_SIZE, cursor });
  if (!history.ok && history.status === 401) redirect('/admin?error=expired');
  const versions = history.ok ? history.value.versions : [];
  const nextCursor = history.ok ? history.value.nextCursor : null;
  // The version before the page's last one opens the next page.
  const beforePage =
    nextCursor === null
      ? undefined
      : await widgetHistory(studio.token, productId, audience, { limit: 1, cursor: nextCursor });
  const previous = (i: number): { widget: unknown } | undefined =>
    versions[i + 1] ?? (beforePage?.ok ? beforePage.value.versions[0] : undefined);
  const here = `/admin/products/${productId}/history?audience=${encodeURIComponent(audience)}`;

  return (
    <>
      <StudioHeader session={studio.session} title={`History of ${audience}`}>
        <p className="text-sm text-muted">
          <Link href="/admin">Studio</Link> › <Link href={`/admin/products/${productId}`}>{productId}</Link> ›
          history
        </p>
      </StudioHeader>
      {!history.ok ? (
        <p role="alert" className="mt-6">
          The history cannot be read right now: {history.detail}
        </p>
      ) : versions.length === 0 ? (
        <p className="mt-6 text-muted">This widget has no versions yet.</p>
      ) : (
        <ol className="mt-6 flex flex-col gap-6">
          {versions.map((version, i) => (
            <li key={version.dataVersion} data-version={version.dataVersion} className="flex flex-col gap-2">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <h2 className="text-lg font-semibold">
                  v{version.dataVersion}
                  {version.widget === null && ' (deleted)'}
                  {i === 0 && cursor === undefined && ' · current'}
                </h2>
                {!(i === 0 && cursor === undefined) && (
                  <RollbackButton
                    productId={productId}
                    audience={audience}
                    dataVersion={version.dataVersion}
                  />
                )}
              </div>
              <p className="text-sm text-muted">
                <time dateTime={version.acceptedAt}>{utc(version.acceptedAt)}</time> by{' '}
                {describeActor(version.actor)}
              </p>
              {describeWindow(version) && (
                <p className="text-sm" data-testid="version-window">
                  {describeWindow(version)}
                </p>
              )}
              <VersionDiff before={previous(i)?.widget} after={version.widget} />
            </li>
          ))}
        </ol>
      )}
      <nav className="mt-6 flex gap-4 text-sm" aria-label="History pages">
        {cursor !== undefined && <Link href={here}>Newest versions</Link>}
        {nextCursor !== null && (
          <Link href={`${here}&cursor=${encodeURIComponent(nextCursor)}`}>Older versions</Link>
        )}
      </nav>
    </>
  );
}
