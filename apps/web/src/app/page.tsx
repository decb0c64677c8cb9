import type { Metadata } from 'next';
import { Button } from '../components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogTitle,
  DialogTrigger,
} from '../components/ui/dialog';

export const metadata: Metadata = { title: 'Home' };

export default function HomePage() {
  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight">Home</h1>
      <p className="mt-2 text-muted">Your home screen appears here once core-api serves it.</p>
      <Dialog>
        <DialogTrigger asChild>
          <Button variant="secondary" className="mt-6">
            About this demo
          </Button>
        </DialogTrigger>
        <DialogContent>
          <DialogTitle>About this demo</DialogTitle>
          <DialogDescription>One server-driven home screen per user.</DialogDescription>
          <p className="text-sm">
            Product services push widget updates; core-api aggregates them into each user&apos;s home screen,
            and this web app renders it. The renderer is not connected yet, so no widgets are shown.
          </p>
        </DialogContent>
      </Dialog>
    </>
  );
}
