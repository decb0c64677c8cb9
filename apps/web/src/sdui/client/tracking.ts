/**
 * Widget impressions, clicks and track actions' events, batched and sent with navigator.sendBeacon to /api/events (a route
 * handler that adds the user's token from the httpOnly cookie and forwards them to core-api). Browser only.
 */

import type { AnalyticsEvent } from '@hwp/analytics-events';

/** The widget an event is about: its id and provenance (events are core-api's AnalyticsEvent). */
export type WidgetRef = Omit<AnalyticsEvent, 'type' | 'at'>;
/** What an event says beyond its widget and time: impression, click, or a track action's event. */
export type EventKind =
  | { type: 'impression' | 'click' }
  | { type: 'track'; event: string; properties?: Record<string, string> };

export const EVENTS_ENDPOINT = '/api/events';
/** A batch goes out this long after its first event, or at once when full or the page is hidden. */
const FLUSH_AFTER_MS = 5_000;
const MAX_BATCH = 50;
/** An impression: at least half of the widget (or half of the viewport) visible for this long. */
const IMPRESSION_MS = 1_000;

const queue: AnalyticsEvent[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let listening = false;

export function recordEvent(kind: EventKind, widget: WidgetRef): void {
  queue.push({ ...kind, ...widget, at: new Date().toISOString() });
  if (!listening) {
    listening = true;
    // The last chance to send: the tab is hidden (switched away, closed, or frozen on mobile).
    document.addEventListener(
      'visibilitychange',
      () => document.visibilityState === 'hidden' && flushEvents(),
    );
    window.addEventListener('pagehide', flushEvents);
  }
  if (queue.length >= MAX_BATCH) flushEvents();
  else flushTimer ??= setTimeout(flushEvents, FLUSH_AFTER_MS);
}

export function flushEvents(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  while (queue.length > 0) {
    const body = JSON.stringify({ events: queue.splice(0, MAX_BATCH) });
    // text/plain is CORS-safelisted, so the beacon is a simple request; the route parses it as JSON.
    const sent = navigator.sendBeacon?.(
      EVENTS_ENDPOINT,
      new Blob([body], { type: 'text/plain;charset=UTF-8' }),
    );
    if (!sent) {
      void fetch(EVENTS_ENDPOINT, {
        method: 'POST',
        body,
        keepalive: true,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
      }).catch(() => undefined);
    }
  }
}

interface Watched {
  onImpression: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

let observer: IntersectionObserver | undefined;
const watched = new Map<Element, Watched>();

/** Half of the element in view, or (for widgets taller than two screens) half of the viewport covered. */
function visibleEnough(entry: IntersectionObserverEntry): boolean {
  if (!entry.isIntersecting) return false;
  if (entry.intersectionRatio >= 0.5) return true;
  const viewport = entry.rootBounds?.height ?? window.innerHeight;
  return entry.intersectionRect.height >= viewport * 0.5;
}

function onIntersection(entries: IntersectionObserverEntry[]): void {
  for (const entry of entries) {
    const watch = watched.get(entry.target);
    if (watch === undefined) continue;
    if (visibleEnough(entry)) {
      watch.timer ??= setTimeout(() => {
        unobserve(entry.target);
        watch.onImpression();
      }, IMPRESSION_MS);
    } else {
      clearTimeout(watch.timer);
      watch.timer = undefined;
    }
  }
}

function unobserve(element: Element): void {
  clearTimeout(watched.get(element)?.timer);
  watched.delete(element);
  observer?.unobserve(element);
}

/** Calls `onImpression` once, when `element` has been visible enough for a second; returns the cleanup. */
export function observeImpression(element: Element, onImpression: () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') return () => undefined;
  observer ??= new IntersectionObserver(onIntersection, {
    threshold: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  });
  watched.set(element, { onImpression });
  observer.observe(element);
  return () => unobserve(element);
}
