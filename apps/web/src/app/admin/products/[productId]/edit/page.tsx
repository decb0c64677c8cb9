import { canAccessProduct } from '@hwp/studio-auth';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { requestTime } from '../../../../../server/request';
import { listSegments, listWidgets, readDraft, type ListedWidget } from '../../../../../server/studio-api';
import { currentStudioSession, type StudioSignedIn } from '../../../../../server/studio-session';
import { WidgetEditor } from '../../../../../studio/client/widget-editor';
import { StudioHeader } from '../../../../../studio/studio-header';

export const dynamic = 'force-dynamic';

type Params = { productId: string };
type Search = { audience?: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: `Edit a widget of ${(await params).productId} · Studio` };
}

/** Where a new widget starts: the smallest valid widget, ready to change. */
const starter = (productId: string) => ({
  type: 'card',
  id: `${productId}-card`,
  children: [
    { type: 'text', id: 'title', text: `News from ${productId}`, style: 'title' },
    { type: 'text', id: 'body', text: 'Tell your users what is new.' },
  ],
});

/** Pages of the listing looked through for one user's widget (product-api has no single-widget read). */
const MAX_PAGES = 10;
/** Segments offered as a target: product-api's largest page. */
const MAX_SEGMENTS = 200;

const kindOf = (audience: string) =>
  audience === 'generic' ? 'generic' : audience.startsWith('segment:') ? 'segment' : 'user';

async function currentWidget(studio: StudioSignedIn, productId: string, audience: string) {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listing = await listWidgets(studio.token, productId, {
      audience: kindOf(audience),
      limit: 200,
      cursor,
    });
    if (!listing.ok) return undefined;
    const found = listing.value.widgets.find((widget: ListedWidget) => widget.audience === audience);
    if (found !== undefined || listing.value.nextCursor === null) return found;
    cursor = listing.value.nextCursor;
  }
  return undefined;
}

/**
 * Creates a widget, or edits the one of `?audience=` (generic, user:<id> or segment:<id>): its saved draft
 * when there is one, else its current version.
 */
export default async function EditWidgetPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<Search>;
}) {
  const [{ productId }, { audience }, studio] = await Promise.all([
    params,
    searchParams,
    currentStudioSession(),
  ]);
  if (studio === undefined) redirect('/admin?error=expired');
  if (!canAccessProduct(studio.session, productId)) notFound();
  const [[existing, draft], segments] = await Promise.all([
    audience === undefined
      ? []
      : Promise.all([
          currentWidget(studio, productId, audience),
          kindOf(audience) === 'segment' ? undefined : readDraft(studio.token, productId, audience),
        ]),
    listSegments(studio.token, productId, { limit: MAX_SEGMENTS }),
  ]);
  const userId = audience?.startsWith('user:') ? audience.slice('user:'.length) : '';
  const segmentId = audience?.startsWith('segment:') ? audience.slice('segment:'.length) : '';

  return (
    <>
      <StudioHeader session={studio.session} title={existing ? 'Edit widget' : 'New widget'}>
        <p className="text-sm text-muted">
          <Link href="/admin">Studio</Link> › <Link href={`/admin/products/${productId}`}>{productId}</Link> ›
          {existing ? ` ${audience} v${existing.dataVersion}` : ' new widget'}
        </p>
      </StudioHeader>
      {draft?.ok && (
        <p role="note" className="mt-4 rounded-lg bg-tone-info px-4 py-2 text-sm text-on-tone-info">
          Editing the draft saved {draft.value.savedAt.replace('T', ' ').slice(0, 19)} UTC; it is not
          published.
        </p>
      )}
      <div className="mt-6">
        <WidgetEditor
          productId={productId}
          initialJson={JSON.stringify(
            (draft?.ok ? draft.value.widget : existing?.content) ?? starter(productId),
            null,
            2,
          )}
          initialTarget={{
            audience: userId ? 'users' : segmentId ? 'segment' : 'generic',
            userIds: userId,
            segmentId,
          }}
          segments={
            segments.ok ? segments.value.segments.map(({ segmentId, name }) => ({ segmentId, name })) : []
          }
          now={requestTime()}
        />
      </div>
    </>
  );
}
