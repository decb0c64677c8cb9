'use client';

import { useState, useTransition, type ReactNode } from 'react';
import {
  publishWinnerFromStudio,
  stopExperimentFromStudio,
  type StudioOutcome,
} from '../../app/admin/actions';
import { Button } from '../../components/ui/button';

/** A button that runs one studio action and says, beside it, what came of it. */
function ActionButton({
  run,
  variant,
  children,
  testId,
}: {
  run: () => Promise<StudioOutcome>;
  variant: 'primary' | 'secondary';
  children: ReactNode;
  testId: string;
}) {
  const [outcome, setOutcome] = useState<StudioOutcome>();
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button
        variant={variant}
        disabled={pending}
        data-testid={testId}
        onClick={() => startTransition(async () => setOutcome(await run()))}
      >
        {children}
      </Button>
      <span
        role="status"
        className="text-sm"
        aria-busy={pending || undefined}
        data-outcome={outcome === undefined ? undefined : outcome.ok ? 'ok' : 'refused'}
      >
        {pending ? 'Sending…' : outcome?.message}
      </span>
    </div>
  );
}

/** Stops the running experiment: from then on its users see the slot as without it. */
export function StopExperimentButton({
  productId,
  experimentId,
}: {
  productId: string;
  experimentId: string;
}) {
  return (
    <ActionButton
      variant="primary"
      testId="stop-experiment"
      run={() => stopExperimentFromStudio(productId, experimentId)}
    >
      Stop the experiment
    </ActionButton>
  );
}

/** Publishes one variant of the stopped experiment as the widget of its audience. */
export function PublishWinnerButton({
  productId,
  experimentId,
  variantId,
}: {
  productId: string;
  experimentId: string;
  variantId: string;
}) {
  return (
    <ActionButton
      variant="secondary"
      testId={`publish-winner-${variantId}`}
      run={() => publishWinnerFromStudio(productId, experimentId, variantId)}
    >
      Publish<span className="sr-only"> {variantId}</span> as the winner
    </ActionButton>
  );
}
