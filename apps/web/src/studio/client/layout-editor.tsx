'use client';

import { useId, useState, useTransition } from 'react';
import { saveLayoutFromStudio, type StudioOutcome } from '../../app/admin/actions';
import { Button } from '../../components/ui/button';

/** Reorders, adds and removes the home screen's product slots, then saves them all at once. */
export function LayoutEditor({ initial, products }: { initial: string[]; products: string[] }) {
  const addId = useId();
  const [slots, setSlots] = useState(initial);
  const [outcome, setOutcome] = useState<StudioOutcome>();
  const [pending, startTransition] = useTransition();
  const missing = products.filter((product) => !slots.includes(product));
  const [adding, setAdding] = useState('');

  const move = (from: number, to: number) =>
    setSlots((current) => {
      const next = [...current];
      const [slot] = next.splice(from, 1);
      if (slot === undefined) return current;
      next.splice(to, 0, slot);
      return next;
    });
  const errorAt = (index: number) =>
    outcome?.ok === false
      ? outcome.errors.find((e) => e.pointer === `/productIds/${index}`)?.detail
      : undefined;

  return (
    <div className="mt-6 flex flex-col gap-4">
      <ol aria-label="Product slots" className="flex flex-col gap-2">
        {slots.map((productId, index) => (
          <li
            key={productId}
            className="flex flex-wrap items-center gap-2 rounded-lg border border-border bg-surface-raised px-3 py-2"
          >
            <span className="w-6 text-muted">{index + 1}.</span>
            <span className="flex-1 font-medium">{productId}</span>
            {errorAt(index) && <span className="text-sm text-on-surface">{errorAt(index)}</span>}
            <Button
              variant="ghost"
              disabled={index === 0}
              aria-label={`Move ${productId} up`}
              onClick={() => move(index, index - 1)}
            >
              Up
            </Button>
            <Button
              variant="ghost"
              disabled={index === slots.length - 1}
              aria-label={`Move ${productId} down`}
              onClick={() => move(index, index + 1)}
            >
              Down
            </Button>
            <Button
              variant="ghost"
              aria-label={`Remove ${productId}`}
              onClick={() => setSlots((current) => current.filter((slot) => slot !== productId))}
            >
              Remove
            </Button>
          </li>
        ))}
      </ol>
      {missing.length > 0 && (
        <div className="flex flex-wrap items-end gap-2">
          <label htmlFor={addId} className="flex flex-col gap-1 text-sm font-medium">
            Add a product
            <select
              id={addId}
              value={adding}
              onChange={(event) => setAdding(event.target.value)}
              className="h-10 rounded-md border border-border bg-surface-raised px-2"
            >
              <option value="">Choose…</option>
              {missing.map((product) => (
                <option key={product}>{product}</option>
              ))}
            </select>
          </label>
          <Button
            variant="secondary"
            disabled={adding === ''}
            onClick={() => {
              setSlots((current) => [...current, adding]);
              setAdding('');
            }}
          >
            Add
          </Button>
        </div>
      )}
      <div className="flex items-center gap-3">
        <Button
          disabled={pending}
          onClick={() => startTransition(async () => setOutcome(await saveLayoutFromStudio(slots)))}
        >
          Save layout
        </Button>
        <p role="status" className="text-sm">
          {pending ? 'Saving…' : outcome?.message}
        </p>
      </div>
    </div>
  );
}
