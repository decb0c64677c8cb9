'use client';

import { useRouter } from 'next/navigation';
import { startTransition, useEffect, useRef, useState } from 'react';
import { provenanceKey } from '../provenance';

export type LiveStatus = 'connecting' | 'open' | 'retrying';

/** Changes that arrive together cause one refresh; the jitter spreads a generic change's re-fetches. */
const COALESCE_MS = 100;
const JITTER_MS = 300;
const MAX_RETRY_MS = 60_000;
/** Refreshes more after a `widget-changed` whose version the screen still does not show. */
const MAX_EXTRA_REFRESHES = 2;

interface Change {
  productId: string;
  audience: string;
  dataVersion: string;
}

function parseChange(data: string): Change | undefined {
  try {
    const change = JSON.parse(data) as Partial<Change>;
    return typeof change.productId === 'string' &&
      typeof change.audience === 'string' &&
      typeof change.dataVersion === 'string'
      ? (change as Change)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the screen current (docs/adr/0011): subscribes to core-api's home stream through the
 * /api/home/stream proxy (which adds the bearer token from the httpOnly cookie; EventSource cannot send
 * headers) and re-renders the page from the server in place with router.refresh(): a new RSC payload, no
 * reload, client state (scroll positions, open sheets) kept.
 *
 * - `widget-changed` refreshes unless the screen already shows that version; if a refresh still shows an
 *   older one (it reached a core-api instance that had not applied the change yet), it refreshes again,
 *   a bounded number of times.
 * - `home-changed`, and every (re)connect (nothing is replayed), refresh unconditionally.
 *
 * `shown` lists the provenance keys of the widgets on the screen. The status is in `data-live-updates`.
 */
export function LiveUpdates({ shown, src = '/api/home/stream' }: { shown: string[]; src?: string }) {
  const router = useRouter();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const shownRef = useRef(new Set(shown));
  // Changes announced but not on the screen yet: `productId|audience` → expected version and refreshes left.
  const pending = useRef(new Map<string, { key: string; left: number }>());
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const scheduleRefresh = useRef(() => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(
      () => startTransition(() => router.refresh()),
      COALESCE_MS + Math.random() * JITTER_MS,
    );
  });

  // After each refresh: forget the changes now shown, refresh again for those still missing.
  useEffect(() => {
    shownRef.current = new Set(shown);
    let again = false;
    for (const [slot, change] of pending.current) {
      if (shownRef.current.has(change.key)) pending.current.delete(slot);
      else if (change.left-- > 0) again = true;
      else pending.current.delete(slot);
    }
    if (again) scheduleRefresh.current();
  }, [shown]);

  useEffect(() => {
    const refresh = scheduleRefresh.current;
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let retryMs = 1_000;

    const onWidgetChanged = (event: MessageEvent<string>) => {
      const change = parseChange(event.data);
      if (change === undefined) return refresh();
      const key = provenanceKey(change);
      if (shownRef.current.has(key)) return;
      pending.current.set(`${change.productId}|${change.audience}`, { key, left: MAX_EXTRA_REFRESHES });
      refresh();
    };

    const connect = () => {
      source = new EventSource(src);
      source.addEventListener('open', () => {
        setStatus('open');
        retryMs = 1_000;
        refresh();
      });
      source.addEventListener('widget-changed', onWidgetChanged);
      source.addEventListener('home-changed', refresh);
      source.addEventListener('error', () => {
        setStatus('retrying');
        // EventSource retries a dropped stream by itself, but gives up on an error status (core-api down
        // or 429 behind the proxy): reconnect then, backing off.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retryTimer = setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        }
      });
    };

    connect();
    return () => {
      source?.close();
      clearTimeout(retryTimer);
      clearTimeout(refreshTimer.current);
    };
  }, [src]);

  return <span hidden data-live-updates={status} />;
}
