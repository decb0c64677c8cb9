import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Button } from '../../components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogTitle,
  DialogTrigger,
} from '../../components/ui/dialog';
import { demoMode } from '../../server/config';
import { currentSession } from '../../server/session';
import { signIn } from '../actions';

export const metadata: Metadata = { title: 'Sign in' };
// DEMO_MODE is read per request, not frozen into the build.
export const dynamic = 'force-dynamic';

/** A few of the users `npm run demo` seeds (user-0001 … user-0300). */
const SEEDED_USERS = ['user-0001', 'user-0002', 'user-0003', 'user-0042', 'user-0150', 'user-0300'];

const MESSAGES: Record<string, string> = {
  'invalid-user':
    'That is not a valid user id: use letters, digits, dots, dashes and underscores (e.g. user-0123).',
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ reason?: string; error?: string }>;
}) {
  if (!demoMode()) notFound();
  const [{ reason, error }, session] = await Promise.all([searchParams, currentSession()]);

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      <p className="mt-2 text-muted">
        Demo mode: choose one of the seeded users to see their home screen. The server signs a token for that
        user and keeps it in a cookie that scripts on the page cannot read.
      </p>
      {reason === 'expired' && (
        <p role="status" className="mt-4 rounded-lg bg-tone-info px-4 py-2 text-sm text-on-tone-info">
          Your session has expired. Sign in again.
        </p>
      )}
      {error !== undefined && (
        <p role="alert" className="mt-4 rounded-lg bg-tone-critical px-4 py-2 text-sm text-on-tone-critical">
          {MESSAGES[error] ?? 'Sign-in failed. Try again.'}
        </p>
      )}
      {session !== undefined && (
        <p className="mt-4 text-sm">
          You are signed in as <span className="font-medium">{session.userId}</span>.{' '}
          <Link href="/">Go to your home screen</Link>
        </p>
      )}

      <form action={signIn} className="mt-8">
        <h2 id="seeded-users" className="text-lg font-semibold">
          Seeded users
        </h2>
        <ul aria-labelledby="seeded-users" className="mt-3 grid grid-cols-2 gap-2 sm:grid-cols-3">
          {SEEDED_USERS.map((userId) => (
            <li key={userId}>
              <Button type="submit" name="userId" value={userId} variant="secondary" className="w-full">
                {userId}
              </Button>
            </li>
          ))}
        </ul>
      </form>

      <form action={signIn} className="mt-8">
        <h2 className="text-lg font-semibold">
          <label htmlFor="user-id">Any other user</label>
        </h2>
        <p id="user-id-hint" className="mt-1 text-sm text-muted">
          Seeded users run from user-0001 to user-0300.
        </p>
        <div className="mt-3 flex gap-2">
          <input
            id="user-id"
            name="userId"
            required
            maxLength={64}
            pattern="[A-Za-z0-9._\-]{1,64}"
            placeholder="user-0123"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="user-id-hint"
            className="h-10 min-w-0 flex-1 rounded-md border border-border bg-surface-raised px-3 text-sm"
          />
          <Button type="submit">Sign in</Button>
        </div>
      </form>

      <Dialog>
        <DialogTrigger asChild>
          <Button variant="secondary" className="mt-10">
            About this demo
          </Button>
        </DialogTrigger>
        <DialogContent>
          <DialogTitle>About this demo</DialogTitle>
          <DialogDescription>One server-driven home screen per user.</DialogDescription>
          <p className="text-sm">
            Product services push widget updates; core-api aggregates them into each user&apos;s home screen,
            and this web app renders it on the server and keeps it live.
          </p>
        </DialogContent>
      </Dialog>
    </>
  );
}
