import { diffLines } from 'diff';

const pretty = (widget: unknown) => (widget === null ? '' : `${JSON.stringify(widget, null, 2)}\n`);

/**
 * What a version changed against the one before: the widgets' JSON, line by line (added lines marked +,
 * removed ones −). A deletion is an empty widget; the first version is all additions.
 */
export function VersionDiff({ before, after }: { before: unknown; after: unknown }) {
  const parts = diffLines(before === undefined ? '' : pretty(before), pretty(after));
  if (parts.every((part) => !part.added && !part.removed))
    return <p className="text-sm text-muted">No change from the version before.</p>;
  return (
    <pre className="overflow-x-auto rounded-md border border-border bg-surface-raised p-2 text-xs" data-diff>
      {parts.flatMap((part, i) =>
        part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((line, j) => (
            <span
              key={`${i}-${j}`}
              className={
                part.added
                  ? 'block bg-tone-positive text-on-tone-positive'
                  : part.removed
                    ? 'block bg-tone-critical text-on-tone-critical'
                    : 'block text-muted'
              }
              data-change={part.added ? 'added' : part.removed ? 'removed' : undefined}
            >
              {part.added ? '+ ' : part.removed ? '− ' : '  '}
              {line}
            </span>
          )),
      )}
    </pre>
  );
}
