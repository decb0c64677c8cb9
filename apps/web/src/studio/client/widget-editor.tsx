'use client';

import type { Diagnostic } from '@codemirror/lint';
import { decodeWidget, validateWidget } from '@hwp/sdui-schema';
import dynamic from 'next/dynamic';
import { useId, useMemo, useState, useTransition } from 'react';
import {
  deleteFromStudio,
  previewAsUserFromStudio,
  publishFromStudio,
  saveDraftFromStudio,
  type PreviewOutcome,
  type StudioOutcome,
  type WidgetTarget,
} from '../../app/admin/actions';
import { Button } from '../../components/ui/button';
import { locatePointer } from '../json-pointer';
import { widgetFields, withField } from '../widget-fields';
import { ScreenPreview } from './screen-preview';
import { WidgetPreview } from './widget-preview';

const JsonEditor = dynamic(() => import('./json-editor'), {
  ssr: false,
  loading: () => <div className="h-64 animate-pulse rounded-md bg-surface-variant" aria-hidden />,
});

interface Problem {
  pointer: string;
  detail: string;
}

type Parsed = { ok: true; json: unknown } | { ok: false; detail: string; position: number };

function parse(text: string): Parsed {
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    return { ok: false, detail: message, position: Number(/position (\d+)/.exec(message)?.[1] ?? 0) };
  }
}

/** A segment the widget can be published to. */
export interface SegmentChoice {
  segmentId: string;
  name: string;
}

export interface WidgetEditorProps {
  productId: string;
  initialJson: string;
  initialTarget: Omit<WidgetTarget, 'productId'>;
  /** The product's segments. */
  segments: SegmentChoice[];
  /** Request time, so countdowns render alike on the server and in the browser. */
  now: number;
}

/**
 * The studio's widget editor: JSON (CodeMirror) and forms for the common fields, kept in step; the SDUI
 * schema's own validator (the one product-api runs) marks problems at their JSON path as you type; a live
 * preview through the home screen's renderer, light and dark; publish generic, to a list of users or to a
 * segment, at once or in a window (UTC), delete, or save a draft (validated, not published; publishing it is an ordinary publish); and "preview
 * as user": that user's whole home screen from core-api with this widget in its slot, published nowhere.
 */
export function WidgetEditor({ productId, initialJson, initialTarget, segments, now }: WidgetEditorProps) {
  const ids = {
    label: useId(),
    problems: useId(),
    users: useId(),
    segment: useId(),
    activeFrom: useId(),
    activeUntil: useId(),
    previewUser: useId(),
  };
  const [text, setText] = useState(initialJson);
  const [audience, setAudience] = useState(initialTarget.audience);
  const [userIds, setUserIds] = useState(initialTarget.userIds);
  const [segmentId, setSegmentId] = useState(initialTarget.segmentId || (segments[0]?.segmentId ?? ''));
  const [activeWindow, setActiveWindow] = useState({ activeFrom: '', activeUntil: '' });
  const [outcome, setOutcome] = useState<StudioOutcome>();
  const [pending, startTransition] = useTransition();
  const [previewUser, setPreviewUser] = useState(initialTarget.userIds.split(/[\s,]+/)[0] ?? '');
  const [previewed, setPreviewed] = useState<{ userId: string; outcome: PreviewOutcome }>();
  const [previewing, startPreview] = useTransition();

  const parsed = useMemo(() => parse(text), [text]);
  const validation = useMemo(() => (parsed.ok ? validateWidget(parsed.json) : undefined), [parsed]);
  const problems: Problem[] = useMemo(() => {
    if (!parsed.ok) return [{ pointer: '', detail: `Not JSON: ${parsed.detail}` }];
    const local =
      validation?.ok === false ? validation.errors.map((e) => ({ pointer: e.path, detail: e.message })) : [];
    // What product-api refused last, while the text is the one it refused.
    const remote =
      outcome?.ok === false
        ? outcome.errors.map((e) => ({ pointer: e.pointer ?? '', detail: e.detail }))
        : [];
    return [...local, ...remote.filter((r) => !local.some((l) => l.pointer === r.pointer))];
  }, [parsed, validation, outcome]);
  const diagnostics: Diagnostic[] = useMemo(
    () =>
      problems.map((problem) => {
        const range = parsed.ok
          ? (locatePointer(text, problem.pointer) ?? { from: 0, to: 0 })
          : { from: parsed.position, to: parsed.position + 1 };
        return { ...range, severity: 'error', message: `${problem.pointer || '/'}: ${problem.detail}` };
      }),
    [problems, parsed, text],
  );
  const preview = useMemo(() => (parsed.ok ? decodeWidget(parsed.json) : undefined), [parsed]);
  const fields = useMemo(() => (parsed.ok ? widgetFields(parsed.json) : []), [parsed]);

  const edit = (next: string) => {
    setText(next);
    if (outcome?.ok === false) setOutcome(undefined);
  };
  const target: WidgetTarget = { productId, audience, userIds, segmentId };
  const run = (action: () => Promise<StudioOutcome>) =>
    startTransition(async () => setOutcome(await action()));
  const valid = parsed.ok && validation?.ok === true;

  return (
    <div className="flex flex-col gap-6">
      <section aria-labelledby={ids.label} className="flex flex-col gap-2">
        <h2 id={ids.label} className="text-lg font-semibold">
          Widget JSON
        </h2>
        <JsonEditor
          value={text}
          onChange={edit}
          diagnostics={diagnostics}
          labelledBy={ids.label}
          describedBy={ids.problems}
        />
        <div id={ids.problems} aria-live="polite">
          {problems.length === 0 ? (
            <p className="text-sm text-muted" data-validation="ok">
              The widget matches the SDUI schema.
            </p>
          ) : (
            <ul className="flex flex-col gap-1 text-sm" data-validation="errors">
              {problems.map((problem) => (
                <li key={`${problem.pointer}|${problem.detail}`}>
                  <code className="rounded bg-tone-critical px-1 text-on-tone-critical">
                    {problem.pointer || '/'}
                  </code>{' '}
                  {problem.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>

      {fields.length > 0 && (
        <fieldset className="flex flex-col gap-2">
          <legend className="text-lg font-semibold">Texts and images</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {fields.map((field) => (
              <label key={field.pointer} className="flex flex-col gap-1 text-sm">
                <span className="font-medium">{field.label}</span>
                <input
                  value={field.value}
                  onChange={(event) =>
                    edit(
                      JSON.stringify(
                        withField((parsed as { json: unknown }).json, field.pointer, event.target.value),
                        null,
                        2,
                      ),
                    )
                  }
                  className="h-9 rounded-md border border-border bg-surface-raised px-2"
                />
              </label>
            ))}
          </div>
        </fieldset>
      )}

      <section aria-labelledby={`${ids.label}-preview`} className="flex flex-col gap-2">
        <h2 id={`${ids.label}-preview`} className="text-lg font-semibold">
          Preview
        </h2>
        <WidgetPreview widget={preview} now={now} />
      </section>

      <fieldset className="flex flex-col gap-3">
        <legend className="text-lg font-semibold">Publish to</legend>
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="audience"
            checked={audience === 'generic'}
            onChange={() => setAudience('generic')}
          />
          Everyone (the generic widget)
        </label>
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="audience"
            checked={audience === 'users'}
            onChange={() => setAudience('users')}
          />
          These users
        </label>
        {audience === 'users' && (
          <label htmlFor={ids.users} className="flex flex-col gap-1 text-sm">
            <span className="font-medium">User ids (separated by commas, spaces or lines)</span>
            <textarea
              id={ids.users}
              value={userIds}
              onChange={(event) => setUserIds(event.target.value)}
              rows={3}
              className="rounded-md border border-border bg-surface-raised p-2"
            />
          </label>
        )}
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="audience"
            checked={audience === 'segment'}
            onChange={() => setAudience('segment')}
            disabled={segments.length === 0}
          />
          A segment{segments.length === 0 && ' (the product has none yet)'}
        </label>
        {audience === 'segment' && (
          <label htmlFor={ids.segment} className="flex flex-col gap-1 text-sm">
            <span className="font-medium">Segment</span>
            <select
              id={ids.segment}
              data-testid="publish-segment"
              value={segmentId}
              onChange={(event) => setSegmentId(event.target.value)}
              className="h-9 rounded-md border border-border bg-surface-raised px-2"
            >
              {segments.map((segment) => (
                <option key={segment.segmentId} value={segment.segmentId}>
                  {segment.name} ({segment.segmentId})
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="grid gap-2 sm:grid-cols-2">
          {(
            [
              ['activeFrom', ids.activeFrom, 'Active from (UTC)'],
              ['activeUntil', ids.activeUntil, 'Active until (UTC)'],
            ] as const
          ).map(([bound, id, label]) => (
            <label key={bound} htmlFor={id} className="flex flex-col gap-1 text-sm">
              <span className="font-medium">{label}</span>
              <input
                id={id}
                type="datetime-local"
                step={1}
                data-testid={`publish-${bound === 'activeFrom' ? 'active-from' : 'active-until'}`}
                value={activeWindow[bound]}
                onChange={(event) => setActiveWindow({ ...activeWindow, [bound]: event.target.value })}
                className="h-9 rounded-md border border-border bg-surface-raised px-2"
              />
            </label>
          ))}
        </div>
        <p className="text-sm text-muted">
          Both empty: shown at once and for good. Outside its window the slot shows the previous version still
          in its window, or falls back to the next level.
        </p>
        <div className="flex flex-wrap gap-2">
          <Button
            disabled={!valid || pending}
            onClick={() =>
              run(() => publishFromStudio(target, (parsed as { json: unknown }).json, activeWindow))
            }
          >
            Publish
          </Button>
          <Button
            variant="secondary"
            disabled={!valid || pending}
            onClick={() => run(() => saveDraftFromStudio(target, (parsed as { json: unknown }).json))}
          >
            Save draft
          </Button>
          <Button variant="secondary" disabled={pending} onClick={() => run(() => deleteFromStudio(target))}>
            Delete
          </Button>
        </div>
        <p role="status" className="text-sm" aria-busy={pending || undefined}>
          {pending ? 'Sending…' : outcome?.message}
        </p>
      </fieldset>

      <section aria-labelledby={`${ids.label}-as-user`} className="flex flex-col gap-3">
        <h2 id={`${ids.label}-as-user`} className="text-lg font-semibold">
          Preview as user
        </h2>
        <p className="text-sm text-muted">
          The user&apos;s whole home screen with this widget in the {productId} slot, as{' '}
          {audience === 'generic' ? 'the generic widget' : 'their own widget'}. Nothing is published.
        </p>
        <div className="flex flex-wrap items-end gap-2">
          <label htmlFor={ids.previewUser} className="flex flex-col gap-1 text-sm">
            <span className="font-medium">User id</span>
            <input
              id={ids.previewUser}
              value={previewUser}
              onChange={(event) => setPreviewUser(event.target.value.trim())}
              className="h-9 rounded-md border border-border bg-surface-raised px-2"
            />
          </label>
          <Button
            variant="secondary"
            disabled={!valid || previewUser === '' || previewing}
            onClick={() =>
              startPreview(async () =>
                setPreviewed({
                  userId: previewUser,
                  outcome: await previewAsUserFromStudio(
                    target,
                    previewUser,
                    (parsed as { json: unknown }).json,
                  ),
                }),
              )
            }
          >
            Preview as user
          </Button>
        </div>
        <div aria-live="polite" aria-busy={previewing || undefined}>
          {previewed?.outcome.ok === false && (
            <p role="alert" className="text-sm">
              {previewed.outcome.message}
              {previewed.outcome.errors.map((error) => ` ${error.pointer || '/'}: ${error.detail}`).join(';')}
            </p>
          )}
          {previewed?.outcome.ok && (
            <ScreenPreview
              screen={previewed.outcome.screen}
              userId={previewed.userId}
              productId={productId}
              now={now}
            />
          )}
        </div>
      </section>
    </div>
  );
}
