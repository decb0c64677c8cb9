import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { homeLayout } from '../../../server/studio-api';
import { currentStudioSession } from '../../../server/studio-session';
import { LayoutEditor } from '../../../studio/client/layout-editor';
import { StudioHeader } from '../../../studio/studio-header';

export const metadata: Metadata = { title: 'Home layout · Studio' };
export const dynamic = 'force-dynamic';

/** The order of the product slots on every home screen: platform admins only. */
export default async function HomeLayoutPage() {
  const studio = await currentStudioSession();
  if (studio === undefined) redirect('/admin?error=expired');
  if (studio.session.role !== 'admin') notFound();
  const layout = await homeLayout(studio.token);

  return (
    <>
      <StudioHeader session={studio.session} title="Home layout">
        <p className="text-sm text-muted">
          <Link href="/admin">Studio</Link> › home layout
        </p>
      </StudioHeader>
      <p className="mt-2 text-muted">
        The product slots of every user’s home screen, top to bottom. A saved change reaches open home screens
        at once.
      </p>
      {layout.ok ? (
        <LayoutEditor initial={layout.value.productIds} products={studio.session.productIds} />
      ) : (
        <p role="alert" className="mt-4">
          The layout cannot be read right now: {layout.detail}
        </p>
      )}
    </>
  );
}
