'use client';

import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';
import { DialogCloseButton } from '../../components/ui/dialog-close-button';

const PANEL = {
  sheet:
    'fixed inset-x-0 bottom-0 z-50 mx-auto flex max-h-[85dvh] w-full max-w-3xl flex-col gap-4 overflow-y-auto rounded-t-2xl border border-border bg-surface-raised px-6 pt-3 pb-8 text-on-surface shadow-lg',
  dialog:
    'fixed top-1/2 left-1/2 z-50 flex max-h-[85dvh] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 flex-col gap-4 overflow-y-auto rounded-lg border border-border bg-surface-raised p-6 text-on-surface shadow-lg',
} as const;

export interface SheetActionProps {
  presentation: 'sheet' | 'dialog';
  title?: string;
  /** Accessible name of the trigger; also the sheet's title when it has none. */
  label: string;
  /** The embedded tree, rendered on the server. */
  content: ReactNode;
  className?: string;
  children?: ReactNode;
  'data-sdui-action'?: string;
  'data-sdui-id'?: string;
  'data-sdui-overlay'?: string;
}

/**
 * An `open-sheet` action: its trigger and a Radix dialog, shown as a bottom sheet or a centred dialog.
 * Radix traps focus, closes on Escape or a click outside, and returns focus to the trigger.
 */
export function SheetAction({
  presentation,
  title,
  label,
  content,
  className,
  children,
  ...data
}: SheetActionProps) {
  return (
    <Dialog.Root>
      <Dialog.Trigger className={className} aria-label={label} {...data}>
        {children}
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-scrim" />
        <Dialog.Content className={PANEL[presentation]} aria-describedby={undefined}>
          {presentation === 'sheet' && (
            <div aria-hidden className="mx-auto h-1 w-10 rounded-full bg-border" />
          )}
          <Dialog.Title className={title ? 'pr-10 text-lg font-semibold' : 'sr-only'}>
            {title ?? label}
          </Dialog.Title>
          <div className="flex flex-col gap-3">{content}</div>
          <DialogCloseButton />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
