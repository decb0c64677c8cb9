/**
 * Where a JSON pointer (RFC 6901, as libs/sdui-schema's validator and product-api report errors) points
 * in a JSON text, so the editor can underline the value (or, for a missing member, its object). Scans the
 * text once; undefined when the text is not JSON.
 */
export interface TextRange {
  from: number;
  to: number;
}

const WHITESPACE = /\s/;

export function locatePointer(text: string, pointer: string): TextRange | undefined {
  const ranges = new Map<string, TextRange>();
  let at = 0;
  const skip = () => {
    while (at < text.length && WHITESPACE.test(text.charAt(at))) at++;
  };
  const string = () => {
    const start = at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: string): void => {
    skip();
    const from = at;
    const char = text[at];
    if (char === '{') {
      at++;
      skip();
      while (text[at] === '"') {
        const key = string();
        skip();
        at++; // ':'
        value(`${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        skip();
        if (text[at] === ',') at++;
        skip();
      }
      at++; // '}'
    } else if (char === '[') {
      at++;
      skip();
      for (let index = 0; at < text.length && text[at] !== ']'; index++) {
        value(`${path}/${index}`);
        skip();
        if (text[at] === ',') at++;
        skip();
      }
      at++; // ']'
    } else if (char === '"') {
      string();
    } else {
      while (at < text.length && /[^\s,\]}]/.test(text.charAt(at))) at++;
    }
    ranges.set(path, { from, to: at });
  };
  try {
    JSON.parse(text);
    value('');
  } catch {
    return undefined;
  }
  // A missing member is reported at its own path: fall back to the closest enclosing value.
  for (let path = pointer; ; path = path.slice(0, path.lastIndexOf('/'))) {
    const range = ranges.get(path);
    if (range !== undefined) return range;
    if (path === '') return undefined;
  }
}
