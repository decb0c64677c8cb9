import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Empty', robots: { index: false } };

/** An empty App Router page: the baseline that tools/bench/measure-web.ts compares `/` with. */
export default function EmptyPage() {
  return <p>This page is intentionally empty.</p>;
}
