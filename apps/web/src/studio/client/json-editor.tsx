'use client';

import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'react';
import { useSchemeStyle } from './scheme-style';

export interface JsonEditorProps {
  value: string;
  onChange: (value: string) => void;
  diagnostics: readonly Diagnostic[];
  /** Id of the element that names the editor. */
  labelledBy: string;
  describedBy?: string;
}

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--color-surface-raised)', color: 'var(--color-on-surface)', fontSize: '13px' },
  '.cm-scroller': { minHeight: '16rem', maxHeight: '32rem', fontFamily: 'ui-monospace, monospace' },
  '.cm-gutters': {
    backgroundColor: 'var(--color-surface-variant)',
    color: 'var(--color-muted)',
    border: 'none',
  },
});

/**
 * CodeMirror 6 on a JSON document, the editor's diagnostics shown in place. Loaded only by the studio's
 * editor (next/dynamic), so no other route ships it. The document follows `value` when it changes from
 * outside (the forms); the editor's own edits go out through `onChange`.
 */
export default function JsonEditor({
  value,
  onChange,
  diagnostics,
  labelledBy,
  describedBy,
}: JsonEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(undefined);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const parent = host.current;
    if (!parent) return; // rendered without its host element: nothing to edit in
    const editor = new EditorView({
      parent,
      doc: value,
      extensions: [
        basicSetup,
        json(),
        lintGutter(),
        theme,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          'aria-labelledby': labelledBy,
          ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) changed.current(update.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    return () => editor.destroy();
    // Created once; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value)
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (editor === undefined) return;
    const length = editor.state.doc.length;
    const inRange = diagnostics.map((d) => ({
      ...d,
      from: Math.min(d.from, length),
      to: Math.min(d.to, length),
    }));
    editor.dispatch(setDiagnostics(editor.state, inRange));
  }, [diagnostics]);

  // The code stays light in both themes: CodeMirror's syntax colours are made for a light surface.
  const light = useSchemeStyle('light');
  return <div ref={host} style={light} className="overflow-hidden rounded-md border border-border" />;
}
