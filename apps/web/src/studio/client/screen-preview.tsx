'use client';

import type { Screen } from '@hwp/sdui-schema';
import { SduiNodeView } from '../../sdui/render';

/**
 * "Preview as user": a user's whole home screen as the home page renders it (the very same node
 * components, src/sdui/render.tsx), with the draft's slot marked. Unlike the home page it counts nothing
 * (no impressions, no clicks), and links and actions do not leave the editor.
 */
export function ScreenPreview({
  screen,
  userId,
  productId,
  now,
}: {
  screen: Screen;
  userId: string;
  productId: string;
  now: number;
}) {
  return (
    <section
      aria-label={`Home screen of ${userId}, with the draft`}
      data-screen-preview={userId}
      className="flex flex-col gap-4 rounded-lg border border-border bg-surface p-3 text-on-surface"
      onClickCapture={(event) => {
        if ((event.target as Element).closest('a, [data-sdui-action]')) event.preventDefault();
      }}
    >
      {screen.widgets.length === 0 && <p className="text-sm text-muted">This screen has no widgets.</p>}
      {screen.widgets.map((widget, index) => {
        const draft = widget.provenance?.productId === productId;
        return (
          <div
            key={`${widget.provenance?.productId ?? index}:${widget.id}`}
            data-slot={widget.provenance?.productId}
            data-draft={draft || undefined}
            className={
              draft ? 'rounded-lg outline-2 outline-offset-4 outline-primary outline-dashed' : undefined
            }
          >
            {draft && <p className="mb-1 text-xs font-medium text-muted">Draft, not published</p>}
            <SduiNodeView
              node={widget}
              ctx={{ widgetId: `preview-${widget.id}`, locale: 'en', now, level: 3, eager: index === 0 }}
            />
          </div>
        );
      })}
    </section>
  );
}
