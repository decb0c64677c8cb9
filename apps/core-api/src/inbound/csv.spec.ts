import { describe, expect, it } from 'vitest';
import { toCsv } from './csv';

describe('toCsv', () => {
  it('writes plain fields as they are, one CRLF-ended line per row', () => {
    expect(
      toCsv([
        ['day', 'clicks'],
        ['2026-11-26', 3],
        ['2026-11-27', -1],
      ]),
    ).toBe('day,clicks\r\n2026-11-26,3\r\n2026-11-27,-1\r\n');
  });

  it('quotes fields with a comma, a quote or a line break, doubling quotes', () => {
    expect(toCsv([['a,b', 'say "hi"', 'two\nlines', 'cr\rhere']])).toBe(
      '"a,b","say ""hi""","two\nlines","cr\rhere"\r\n',
    );
  });

  it('keeps a spreadsheet from running a text field as a formula', () => {
    expect(toCsv([['=SUM(A1)', '+1', '-x', '@cmd', 'a=b']])).toBe("'=SUM(A1),'+1,'-x,'@cmd,a=b\r\n");
    expect(toCsv([['=1,2']])).toBe(`"'=1,2"\r\n`);
  });
});
