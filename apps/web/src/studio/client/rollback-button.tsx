'use client';

import { useState, useTransition } from 'react';
import { rollBackFromStudio, type StudioOutcome } from '../../app/admin/actions';
import { Button } from '../../components/ui/button';

/** Publishes this earlier version again, as a new version, and says which version it became. */
export function RollbackButton({
  productId,
  audience,
  dataVersion,
}: {
  productId: string;
  audience: string;
  dataVersion: number;
}) {
  const [outcome, setOutcome] = useState<StudioOutcome>();
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => setOutcome(await rollBackFromStudio(productId, audience, dataVersion)))
        }
      >
        Roll back<span className="sr-only"> to v{dataVersion}</span>
      </Button>
      <span role="status" className="text-sm" aria-busy={pending || undefined}>
        {pending ? 'Sending…' : outcome?.message}
      </span>
    </div>
  );
}
