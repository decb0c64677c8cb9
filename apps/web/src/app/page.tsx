import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { Suspense } from 'react';
import { LiveUpdates } from '../sdui/client/live-updates';
import { decodeScreen } from '../sdui/decode';
import { provenanceKey } from '../sdui/provenance';
import { ScreenView } from '../sdui/screen';
import { SKELETON } from '../sdui/theme';
import { demoMode } from '../server/config';
import { fetchHome } from '../server/core-api';
import { requestLocale, requestTime } from '../server/request';
import { currentSession, type Session } from '../server/session';
import { signOut } from './actions';

export const metadata: Metadata = { title: 'Home' };

/**
 * The user's home screen, rendered on the server from core-api's GET /v1/home (no client fetch before the
 * first paint); LiveUpdates then keeps it current. The session check comes before any streaming, so a
 * visitor without one gets a real redirect; the screen itself streams in behind a skeleton.
 */
export default async function HomePage() {
  const session = await currentSession();
  if (session === undefined) {
    if (demoMode()) redirect('/signin');
    return <SignedOut />;
  }
  return (
    <>
      <Suspense fallback={<HomeSkeleton />}>
        <HomeScreen session={session} />
      </Suspense>
    </>
  );
}

async function HomeScreen({ session }: { session: Session }) {
  const [home, locale] = await Promise.all([fetchHome(session.token), requestLocale()]);
  if (home.kind === 'unauthorized') {
    // Streamed by now, so Next turns this into a client-side redirect.
    if (demoMode()) redirect('/signin?reason=expired');
    return <SignedOut />;
  }
  const decoded = home.kind === 'ok' ? decodeScreen(home.screen) : undefined;
  const shown = decoded?.ok
    ? decoded.screen.widgets.flatMap((widget) =>
        widget.provenance ? [provenanceKey(widget.provenance)] : [],
      )
    : [];
  if (home.kind === 'unavailable') console.error(`home screen unavailable: ${home.detail}`);
  else if (decoded?.ok === false) console.error(`home screen not renderable: ${decoded.reason}`);

  return (
    <>
      <div className="mb-6 flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <h1 tabIndex={-1} className="text-2xl font-semibold tracking-tight focus:outline-none">
          {decoded?.ok ? (decoded.screen.title ?? 'Home') : 'Home'}
        </h1>
        <Account userId={session.userId} />
      </div>
      {decoded?.ok ? (
        <>
          {home.kind === 'ok' && home.stale && (
            <p
              role="status"
              className="mb-4 rounded-lg bg-tone-warning px-4 py-2 text-sm text-on-tone-warning"
            >
              Some of your home screen may be out of date; it updates by itself once the service is back.
            </p>
          )}
          <ScreenView screen={decoded.screen} locale={locale} now={requestTime()} />
        </>
      ) : (
        <div role="alert" className="rounded-lg border border-border bg-surface-raised p-6">
          <p className="font-medium">We can’t load your home screen right now.</p>
          <p className="mt-1 text-sm text-muted">
            It will appear here by itself once the service is back, or <Link href="/">try again</Link>.
          </p>
        </div>
      )}
      <LiveUpdates shown={shown} />
    </>
  );
}

function Account({ userId }: { userId: string }) {
  return (
    <div className="flex items-center gap-3 text-sm">
      <span className="text-muted">
        Signed in as <span className="font-medium text-on-surface">{userId}</span>
      </span>
      <form action={signOut}>
        <button
          type="submit"
          className="cursor-pointer rounded-md border border-border bg-surface-raised px-3 py-1.5 font-medium hover:bg-on-surface/5"
        >
          Sign out
        </button>
      </form>
    </div>
  );
}

/** Shown while the screen renders on the server (it streams in behind this). */
function HomeSkeleton() {
  return (
    <div aria-busy="true" className="flex flex-col gap-6">
      <span className="sr-only" role="status">
        Loading your home screen…
      </span>
      <div aria-hidden className={`${SKELETON} h-8 w-40`} />
      <div aria-hidden className={`${SKELETON} h-48 rounded-2xl`} />
      <div aria-hidden className={`${SKELETON} h-24`} />
      <div aria-hidden className="flex gap-2">
        <div className={`${SKELETON} h-40 w-[min(70%,13rem)]`} />
        <div className={`${SKELETON} h-40 w-[min(70%,13rem)]`} />
      </div>
      <div aria-hidden className={`${SKELETON} h-24`} />
    </div>
  );
}

function SignedOut() {
  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Home</h1>
      <p className="mt-2 text-muted">Sign in to see your home screen.</p>
    </>
  );
}
