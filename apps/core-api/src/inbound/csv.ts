/**
 * RFC 4180 CSV: fields with a comma, a quote or a line break are quoted (quotes doubled), lines end with
 * CRLF. A text field starting with =, +, - or @ is prefixed with a quote, so a spreadsheet shows it rather
 * than running it as a formula (OWASP "CSV injection").
 */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

function field(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
