import type { Action } from '@hwp/sdui-schema';
import type { ReactNode } from 'react';
import { DismissButton, RefreshButton } from './client/action-buttons';
import { SheetAction } from './client/sheet';
import type { RenderContext } from './context';
import { SduiNodeView } from './render';

export interface ActionControlProps {
  action: Action;
  /** The accessible name (the node's accessibilityLabel). */
  label: string;
  ctx: RenderContext;
  className?: string;
  children?: ReactNode;
  /** Stretched over a container node rather than wrapping content. */
  overlay?: boolean;
  /** The SDUI id, when the control is the node itself (buttons). */
  nodeId?: string;
}

/**
 * App deeplinks on the web. The web has no screens for them yet, so they stay `homewidgets://` links (the
 * installed app opens them); map a prefix to a web path here once the web grows one.
 */
const DEEPLINK_PATHS: readonly { prefix: string; path: string }[] = [];

export function deeplinkHref(deeplink: string): string {
  const match = DEEPLINK_PATHS.find(({ prefix }) => deeplink.startsWith(prefix));
  return match ? match.path + deeplink.slice(match.prefix.length) : deeplink;
}

/**
 * The element that runs an action: a plain link for `navigate` and `open-url` (no JavaScript), a button
 * otherwise. Every control carries `data-sdui-action`, which the widget's click tracking looks for.
 */
export function ActionControl({
  action,
  label,
  ctx,
  className,
  children,
  overlay,
  nodeId,
}: ActionControlProps) {
  const common = {
    className,
    'data-sdui-action': action.type,
    'data-sdui-id': nodeId,
    'data-sdui-overlay': overlay ? '' : undefined,
  };
  switch (action.type) {
    case 'navigate':
      return (
        <a href={deeplinkHref(action.deeplink)} aria-label={label} {...common}>
          {children}
        </a>
      );
    case 'open-url':
      return (
        <a
          href={action.url}
          target="_blank"
          rel="noopener noreferrer"
          aria-label={`${label} (opens in a new tab)`}
          {...common}
        >
          {children}
        </a>
      );
    case 'open-sheet':
      return (
        <SheetAction
          presentation={action.presentation === 'dialog' ? 'dialog' : 'sheet'}
          title={action.title}
          label={label}
          content={<SduiNodeView node={action.content} ctx={{ ...ctx, level: 3, eager: false }} />}
          {...common}
        >
          {children}
        </SheetAction>
      );
    case 'dismiss-widget':
      return (
        <DismissButton aria-label={label} {...common}>
          {children}
        </DismissButton>
      );
    case 'refresh-screen':
      return (
        <RefreshButton aria-label={label} {...common}>
          {children}
        </RefreshButton>
      );
    case 'track':
      // Recorded as a click and as its event by the widget's tracking; it does nothing else.
      return (
        <button
          type="button"
          aria-label={label}
          data-sdui-event={action.event}
          data-sdui-properties={action.properties && JSON.stringify(action.properties)}
          {...common}
        >
          {children}
        </button>
      );
    default:
      return assertNever(action, children);
  }
}

/** An action type this build does not know: no control (decoding drops such actions before this). */
function assertNever(_action: never, children: ReactNode) {
  return <>{children}</>;
}
