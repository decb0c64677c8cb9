import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { after } from 'next/server';
import { buttonClasses } from '../components/ui/button-variants';
import { LiveUpdates } from '../sdui/client/live-updates';
import { provenanceKey } from '../sdui/provenance';
import { ScreenView } from '../sdui/screen';
import { demoMode } from '../server/config';
import { homeScreenFor, type HomeScreen } from '../server/home-screen';
import { now, observeHomeRender, RENDER_STARTED_HEADER, type HomeRenderOutcome } from '../server/metrics';
import { requestLocale, requestTime } from '../server/request';
import { currentSession } from '../server/session';
import { signOut } from './actions';

export const metadata: Metadata = { title: 'Home' };

/**
 * The user's home screen, rendered on the server in the first HTML flush (no client fetch, no skeleton:
 * src/proxy.ts has already asked core-api, which answers in milliseconds); LiveUpdates then keeps it
 * current. When core-api refuses or fails, the last known screen with a notice, or the error state, whose
 * status (429 or 503) the proxy has set.
 */
export default async function HomePage() {
  // From the proxy's start (its call to core-api), or this render's for one the proxy did not see.
  const startedAt = Number((await headers()).get(RENDER_STARTED_HEADER) ?? now());
  const session = await currentSession();
  if (session === undefined) {
    if (demoMode()) redirect('/signin');
    return <SignedOut />;
  }
  const [home, locale] = await Promise.all([homeScreenFor(session), requestLocale()]);
  if (home.kind === 'unauthorized') {
    if (demoMode()) redirect('/signin?reason=expired');
    return <SignedOut />;
  }
  const screen = home.kind === 'unavailable' ? undefined : home.screen;
  // Once the last byte is sent: the whole server render, streaming included.
  after(() => observeHomeRender(RENDER_OUTCOMES[home.kind], startedAt));
  const shown = (screen?.widgets ?? []).flatMap((widget) =>
    widget.provenance ? [provenanceKey(widget.provenance)] : [],
  );

  return (
    <>
      <div className="mb-6 flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <h1 tabIndex={-1} className="text-2xl font-semibold tracking-tight focus:outline-none">
          {screen?.title ?? 'Home'}
        </h1>
        <Account userId={session.userId} />
      </div>
      {screen ? (
        <>
          {(home.kind === 'last-known' || (home.kind === 'fresh' && home.stale)) && (
            <OutOfDateNotice kind={home.kind} />
          )}
          <ScreenView screen={screen} locale={locale} now={requestTime()} />
        </>
      ) : (
        <HomeUnavailable />
      )}
      <LiveUpdates shown={shown} />
    </>
  );
}

const RENDER_OUTCOMES = {
  fresh: 'rendered',
  'last-known': 'last-known',
  unavailable: 'error',
} as const satisfies Record<Exclude<HomeScreen['kind'], 'unauthorized'>, HomeRenderOutcome>;

/** Some widgets (core-api's last known good ones), or the whole screen (this server's copy), may be old. */
function OutOfDateNotice({ kind }: { kind: Exclude<HomeScreen['kind'], 'unavailable' | 'unauthorized'> }) {
  return (
    <p
      role="status"
      data-out-of-date={kind}
      className="mb-4 rounded-lg bg-tone-warning px-4 py-2 text-sm text-on-tone-warning"
    >
      {kind === 'last-known' ? 'Your home screen' : 'Some of your home screen'} may be out of date; it updates
      by itself once the service is back.
    </p>
  );
}

/** No screen to show: said plainly, with a retry that reloads the page (its status says why). */
function HomeUnavailable() {
  return (
    <div role="alert" className="rounded-lg border border-border bg-surface-raised p-6">
      <p className="font-medium">We can’t load your home screen right now.</p>
      <p className="mt-1 text-sm text-muted">It will appear here by itself once the service is back.</p>
      {/* A document load, not a client navigation: it works before hydration and gets a real status. */}
      {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
      <a href="/" className={`${buttonClasses({ variant: 'secondary' })} mt-4 hover:no-underline`}>
        Try again
      </a>
    </div>
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

function SignedOut() {
  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Home</h1>
      <p className="mt-2 text-muted">Sign in to see your home screen.</p>
    </>
  );
}
