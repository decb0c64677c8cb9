import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// For the specs that compile the code samples of docs/sdui (Node only, not exported).

const DOCS = join(__dirname, '../../../docs/sdui');

export interface CodeSample {
  /** page.md#n, for messages. */
  name: string;
  language: string;
  code: string;
}

/** The fenced code blocks of docs/sdui/<page> in `languages`, in page order. */
export function codeSamples(page: string, languages: readonly string[]): CodeSample[] {
  const markdown = readFileSync(join(DOCS, page), 'utf8');
  return [...markdown.matchAll(/^```(\S+)\n([\s\S]*?)^```$/gm)]
    .map(([, language = '', code = '']) => ({ language, code }))
    .filter(({ language }) => languages.includes(language))
    .map((sample, index) => ({ name: `${page}#${index + 1}`, ...sample }));
}
