import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Studio' };

export default function StudioPage() {
  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Studio</h1>
      <p className="mt-2 text-muted">The studio for composing and previewing widgets is not built yet.</p>
    </>
  );
}
