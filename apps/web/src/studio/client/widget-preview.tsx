'use client';

import type { Widget } from '@hwp/sdui-schema';
import { Component, type ReactNode } from 'react';
import { SduiNodeView } from '../../sdui/render';
import { useSchemeStyle } from './scheme-style';

class PreviewBoundary extends Component<{ children: ReactNode; resetKey: unknown }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidUpdate(previous: { resetKey: unknown }) {
    if (previous.resetKey !== this.props.resetKey && this.state.failed) this.setState({ failed: false });
  }

  override render() {
    return this.state.failed ? (
      <p role="alert" className="text-sm">
        This widget cannot be rendered.
      </p>
    ) : (
      this.props.children
    );
  }
}

/**
 * The widget as the home screen shows it: the very same node components (src/sdui/render.tsx), here
 * rendered in the browser as the JSON changes, once per colour scheme. Links and actions do not leave the
 * editor.
 */
export function WidgetPreview({ widget, now }: { widget: Widget | undefined; now: number }) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <PreviewPane scheme="light" widget={widget} now={now} />
      <PreviewPane scheme="dark" widget={widget} now={now} />
    </div>
  );
}

function PreviewPane({
  scheme,
  widget,
  now,
}: {
  scheme: 'light' | 'dark';
  widget: Widget | undefined;
  now: number;
}) {
  const style = useSchemeStyle(scheme);
  return (
    <section
      aria-label={`Preview, ${scheme}`}
      data-preview={scheme}
      style={style}
      className="rounded-lg border border-border bg-surface p-3 text-on-surface"
      onClickCapture={(event) => {
        if ((event.target as Element).closest('a, [data-sdui-action]')) event.preventDefault();
      }}
    >
      <p className="mb-2 text-xs font-medium text-muted">{scheme === 'light' ? 'Light' : 'Dark'}</p>
      {widget === undefined ? (
        <p className="text-sm text-muted">Nothing to show until the JSON is a widget.</p>
      ) : (
        <PreviewBoundary resetKey={widget}>
          <SduiNodeView
            node={widget}
            ctx={{ widgetId: `${scheme}-${widget.id}`, locale: 'en', now, level: 3, eager: true }}
          />
        </PreviewBoundary>
      )}
    </section>
  );
}
