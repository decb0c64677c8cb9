'use client';

import { useSyncExternalStore } from 'react';

// One shared one-second clock for every countdown on the page.
let clock = 0;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    clock = Date.now();
    timer = setInterval(() => {
      clock = Date.now();
      listeners.forEach((notify) => notify());
    }, 1_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const getSnapshot = () => clock;

const pad = (n: number) => String(n).padStart(2, '0');

/** "3d 04:05:06", or "04:05:06" under a day. */
export function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const days = Math.floor(total / 86_400);
  const time = `${pad(Math.floor((total % 86_400) / 3_600))}:${pad(Math.floor((total % 3_600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days}d ${time}` : time;
}

export interface CountdownProps {
  nodeId: string;
  endsAt: number;
  /** The server's clock at render time: the hydration render must match the HTML. */
  serverNow: number;
  label?: string;
  expiredLabel?: string;
  className: string;
}

/** Time left until `endsAt`, ticking every second; the expired label (or nothing) afterwards. */
export function Countdown({ nodeId, endsAt, serverNow, label, expiredLabel, className }: CountdownProps) {
  const ticking = useSyncExternalStore(subscribe, getSnapshot, () => serverNow);
  const now = ticking === 0 ? serverNow : ticking;
  const remaining = endsAt - now;
  if (remaining <= 0) {
    return expiredLabel ? (
      <p data-sdui-id={nodeId} className={className}>
        {expiredLabel}
      </p>
    ) : null;
  }
  return (
    <p data-sdui-id={nodeId} role="timer" className={className}>
      {label && <>{label} </>}
      <time dateTime={new Date(endsAt).toISOString()} className="tabular-nums">
        {formatRemaining(remaining)}
      </time>
    </p>
  );
}
