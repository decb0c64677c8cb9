import type { StudioSession } from '@hwp/studio-auth';
import type { ReactNode } from 'react';
import { studioSignOut } from '../app/admin/actions';

/** The studio pages' heading, with who is signed in and the sign-out button. */
export function StudioHeader({
  session,
  title,
  children,
}: {
  session: StudioSession;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
      <div>
        {children}
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      </div>
      <div className="flex items-center gap-3 text-sm">
        <span className="text-muted">
          Signed in as <span className="font-medium text-on-surface">{session.teamId}</span>
          {session.role === 'admin' && ' (admin)'}
        </span>
        <form action={studioSignOut}>
          <button
            type="submit"
            className="cursor-pointer rounded-md border border-border bg-surface-raised px-3 py-1.5 font-medium hover:bg-on-surface/5"
          >
            Sign out
          </button>
        </form>
      </div>
    </div>
  );
}
