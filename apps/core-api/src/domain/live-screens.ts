import type { WidgetInvalidation } from '@hwp/cache';
import { audienceUser } from '@hwp/widget-events';

/**
 * An applied invalidation, or a window of a scheduled widget opening or closing (`windowBoundary`, ADR
 * 0030): no new version, so a screen cannot tell it from the versions it shows, and loads itself again.
 */
export type ScreenChange = WidgetInvalidation & { windowBoundary?: true };

/** What an open screen is told: one of its widgets changed (its provenance after the change). */
export interface WidgetChange {
  productId: string;
  audience: 'personalised' | 'generic';
  dataVersion: string;
}

/** One open screen, e.g. a Server-Sent Events stream. */
export interface OpenScreen {
  widgetChanged(change: WidgetChange): void;
  /** Invalidations may have been missed: the whole screen should be loaded again. */
  homeChanged(): void;
}

/** Which open screens a change concerns, from what the read path holds in memory. */
export interface ScreenContents {
  /** False only when the change cannot alter the user's screen (product off the layout, or hidden). */
  mayShow(userId: string, invalidation: WidgetInvalidation): boolean;
}

export interface LiveScreenLimits {
  perUser: number;
  total: number;
}

export type Opening = { ok: true; close: () => void } | { ok: false; limit: 'user' | 'instance' };

/**
 * The screens open on this instance, by user, and who to tell about an applied invalidation: a
 * personalised change goes to that user's screens, a generic change to every user whose screen may show
 * it. Bounded per user and per instance.
 */
export class LiveScreens<Screen extends OpenScreen = OpenScreen> {
  private readonly byUser = new Map<string, Set<Screen>>();
  private open = 0;

  constructor(
    private readonly limits: LiveScreenLimits,
    private readonly contents: ScreenContents,
  ) {}

  get size(): number {
    return this.open;
  }

  /** Registers a screen unless a limit is reached; `close` (idempotent) unregisters it. */
  add(userId: string, screen: Screen): Opening {
    const screens = this.byUser.get(userId);
    if ((screens?.size ?? 0) >= this.limits.perUser) return { ok: false, limit: 'user' };
    if (this.open >= this.limits.total) return { ok: false, limit: 'instance' };
    const mine = screens ?? new Set<Screen>();
    if (screens === undefined) this.byUser.set(userId, mine);
    mine.add(screen);
    this.open += 1;
    return {
      ok: true,
      close: () => {
        if (!mine.delete(screen)) return;
        this.open -= 1;
        if (mine.size === 0) this.byUser.delete(userId);
      },
    };
  }

  /** Tells the screens an invalidation concerns, once the in-process cache has applied it; returns how many. */
  announce(invalidation: ScreenChange): number {
    const userId = audienceUser(invalidation.audience);
    const change: WidgetChange = {
      productId: invalidation.productId,
      audience: userId === undefined ? 'generic' : 'personalised',
      dataVersion: String(invalidation.dataVersion),
    };
    const users = userId === undefined ? this.byUser.keys() : [userId];
    let told = 0;
    for (const user of users) {
      const screens = this.byUser.get(user);
      if (screens === undefined || !this.contents.mayShow(user, invalidation)) continue;
      for (const screen of screens) {
        if (invalidation.windowBoundary) screen.homeChanged();
        else screen.widgetChanged(change);
        told += 1;
      }
    }
    return told;
  }

  /** Tells every screen to load itself again (invalidations may have been lost). */
  announceAll(): void {
    for (const screen of this.screens()) screen.homeChanged();
  }

  *screens(): Iterable<Screen> {
    for (const screens of this.byUser.values()) yield* screens;
  }
}
