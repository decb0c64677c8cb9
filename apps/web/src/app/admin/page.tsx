import type { Metadata } from 'next';
import Link from 'next/link';
import { Button } from '../../components/ui/button';
import { currentStudioSession } from '../../server/studio-session';
import { StudioHeader } from '../../studio/studio-header';
import { studioSignIn } from './actions';

export const metadata: Metadata = { title: 'Studio' };
export const dynamic = 'force-dynamic';

const MESSAGES: Record<string, string> = {
  'invalid-key': 'That key was not accepted. Check it and try again.',
  unavailable: 'The publishing service cannot be reached right now. Try again in a moment.',
  expired: 'Your studio session has ended. Sign in again.',
};

/** The studio's start: sign in with a team API key (or the platform admin key), then the team's products. */
export default async function StudioPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const [{ error }, studio] = await Promise.all([searchParams, currentStudioSession()]);
  if (studio === undefined) {
    return (
      <>
        <h1 className="text-2xl font-semibold tracking-tight">Studio</h1>
        <p className="mt-2 text-muted">
          Product teams compose, preview and publish their widgets here. Sign in with your team’s API key.
        </p>
        {error !== undefined && (
          <p
            role="alert"
            className="mt-4 rounded-lg bg-tone-critical px-4 py-2 text-sm text-on-tone-critical"
          >
            {MESSAGES[error] ?? 'Sign-in failed. Try again.'}
          </p>
        )}
        <form action={studioSignIn} className="mt-6 flex flex-col gap-2">
          <label htmlFor="api-key" className="font-medium">
            API key
          </label>
          <p id="api-key-hint" className="text-sm text-muted">
            Your team’s key for the publishing API, or the platform admin key. It is sent once to open a
            session and is not stored.
          </p>
          <div className="flex flex-wrap gap-2">
            <input
              id="api-key"
              name="apiKey"
              type="password"
              required
              autoComplete="off"
              aria-describedby="api-key-hint"
              className="h-10 min-w-0 flex-1 rounded-md border border-border bg-surface-raised px-3"
            />
            <Button type="submit">Sign in</Button>
          </div>
        </form>
      </>
    );
  }

  const { session } = studio;
  return (
    <>
      <StudioHeader session={session} title="Studio" />
      <h2 className="mt-6 text-lg font-semibold">Your products</h2>
      {session.productIds.length === 0 ? (
        <p className="mt-2 text-muted">This team owns no products yet.</p>
      ) : (
        <ul className="mt-3 grid gap-2 sm:grid-cols-2">
          {session.productIds.map((productId) => (
            <li key={productId}>
              <Link
                href={`/admin/products/${productId}`}
                className="block rounded-lg border border-border bg-surface-raised px-4 py-3 font-medium no-underline hover:bg-on-surface/5"
              >
                {productId}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <p className="mt-6 flex flex-wrap gap-4">
        <Link href="/admin/audit">Audit log</Link>
        {session.role === 'admin' && <Link href="/admin/home-layout">Edit the home layout</Link>}
      </p>
    </>
  );
}
