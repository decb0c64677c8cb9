import type { Screen } from '@hwp/sdui-schema';
import { Suspense } from 'react';
import { WidgetSlot } from './client/widget-slot';
import type { RenderContext } from './context';
import { SduiNodeView } from './render';
import { SKELETON } from './theme';

export interface ScreenViewProps {
  /** A decoded screen (decodeScreen of @hwp/sdui-schema). */
  screen: Screen;
  locale: string;
  now: number;
}

/**
 * The widgets of a screen, top to bottom, each in its client slot (tracking, dismissal, error boundary).
 * The Suspense boundary per widget matters for server-side rendering: a widget whose Server Component
 * throws becomes a client-rendered boundary instead of failing the whole page, and the slot's error
 * boundary then shows its placeholder.
 */
export function ScreenView({ screen, locale, now }: ScreenViewProps) {
  if (screen.widgets.length === 0) {
    return (
      <p className="text-muted">Nothing here yet. New things will show up as soon as they are published.</p>
    );
  }
  return (
    <div className="flex flex-col gap-6">
      {screen.widgets.map((widget, index) => {
        const ctx: RenderContext = { widgetId: widget.id, locale, now, level: 2, eager: index === 0 };
        return (
          <WidgetSlot key={widget.id} widgetId={widget.id} {...widget.provenance}>
            <Suspense fallback={<WidgetSkeleton />}>
              <SduiNodeView node={widget} ctx={ctx} />
            </Suspense>
          </WidgetSlot>
        );
      })}
    </div>
  );
}

export function WidgetSkeleton() {
  return <div aria-hidden className={`${SKELETON} h-32`} />;
}
