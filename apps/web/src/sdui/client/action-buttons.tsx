'use client';

import { useRouter } from 'next/navigation';
import { use, useTransition, type ComponentProps } from 'react';
import { WidgetSlotContext } from './widget-slot';

type ButtonProps = Omit<ComponentProps<'button'>, 'type' | 'onClick'>;

/** `dismiss-widget`: hides the widget that holds the button (for this page view). */
export function DismissButton(props: ButtonProps) {
  const slot = use(WidgetSlotContext);
  return <button type="button" onClick={() => slot?.dismiss()} {...props} />;
}

/** `refresh-screen`: re-renders the screen from the server in place (no full reload). */
export function RefreshButton(props: ButtonProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button
      type="button"
      aria-busy={pending || undefined}
      onClick={() => startTransition(() => router.refresh())}
      {...props}
    />
  );
}
