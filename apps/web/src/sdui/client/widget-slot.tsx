'use client';

import {
  Component,
  createContext,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type MouseEvent,
  type ReactNode,
} from 'react';
import { observeImpression, recordEvent, type EventKind, type WidgetRef } from './tracking';

interface SlotApi {
  dismiss(): void;
}

const SlotContext = createContext<SlotApi | null>(null);
export const WidgetSlotContext = SlotContext;

export interface WidgetSlotProps {
  widgetId: string;
  /** The widget's provenance; a widget without one is shown but not tracked. */
  productId?: string;
  audience?: WidgetRef['audience'];
  dataVersion?: string;
  /** The campaign that chose the widget (schema 1.1): its events carry it, to be counted per variant. */
  segmentId?: string;
  experimentId?: string;
  variantId?: string;
  children: ReactNode;
}

/**
 * The client shell of one widget on the screen: impression tracking (IntersectionObserver), click
 * tracking (clicks on any SDUI action inside, including its sheets), dismissal, and an error boundary, so
 * a widget that fails to render shows a small placeholder and the rest of the screen stays.
 */
export function WidgetSlot({
  widgetId,
  productId,
  audience,
  dataVersion,
  segmentId,
  experimentId,
  variantId,
  children,
}: WidgetSlotProps) {
  const element = useRef<HTMLDivElement>(null);
  const [dismissed, setDismissed] = useState(false);
  const widget = useMemo<WidgetRef | undefined>(
    () =>
      productId && audience && dataVersion
        ? {
            widgetId,
            productId,
            audience,
            dataVersion,
            ...(segmentId && { segmentId }),
            ...(experimentId && { experimentId }),
            ...(variantId && { variantId }),
          }
        : undefined,
    [widgetId, productId, audience, dataVersion, segmentId, experimentId, variantId],
  );

  // A new data version is a new impression.
  useEffect(() => {
    if (widget === undefined || element.current === null) return;
    return observeImpression(element.current, () => recordEvent({ type: 'impression' }, widget));
  }, [widget]);

  const onClickCapture = useCallback(
    (event: MouseEvent) => {
      // React events bubble through portals, so clicks inside this widget's sheets arrive here too.
      const control = (event.target as Element).closest?.<HTMLElement>('[data-sdui-action]');
      if (!control || !widget) return;
      recordEvent({ type: 'click' }, widget);
      const track = trackedEvent(control);
      if (track) recordEvent(track, widget);
    },
    [widget],
  );

  const api = useMemo<SlotApi>(
    () => ({
      dismiss() {
        // Keep keyboard focus on the page: the control that had it is about to go.
        document.querySelector<HTMLElement>('main h1')?.focus();
        setDismissed(true);
      },
    }),
    [],
  );

  if (dismissed) return null;
  return (
    <SlotContext value={api}>
      <div ref={element} data-sdui-widget={widgetId} onClickCapture={onClickCapture}>
        <WidgetErrorBoundary key={dataVersion ?? ''} widgetId={widgetId}>
          {children}
        </WidgetErrorBoundary>
      </div>
    </SlotContext>
  );
}

/** The event of a track action's control (ActionControl writes its name and properties as data attributes). */
function trackedEvent(control: HTMLElement): EventKind | undefined {
  const { sduiAction, sduiEvent, sduiProperties } = control.dataset;
  if (sduiAction !== 'track' || sduiEvent === undefined) return undefined;
  return {
    type: 'track',
    event: sduiEvent,
    ...(sduiProperties && { properties: JSON.parse(sduiProperties) as Record<string, string> }),
  };
}

interface BoundaryProps {
  widgetId: string;
  children: ReactNode;
}

/** Per widget: a render error (on the server or in the browser) becomes a placeholder for this widget only. */
class WidgetErrorBoundary extends Component<BoundaryProps, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error(`widget ${this.props.widgetId} failed to render`, error);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <p
        data-sdui-error={this.props.widgetId}
        className="rounded-lg border border-dashed border-border px-4 py-3 text-sm text-muted"
      >
        This part of your home screen can’t be shown right now.
      </p>
    );
  }
}
