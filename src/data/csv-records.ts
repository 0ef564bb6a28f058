/** Splits CSV text into records (RFC 4180: quoted fields, "" escapes, CRLF or LF), skipping blank lines. */
import { InvalidDataError } from '../errors.js';

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

export function* csvRecords(text: string, source: string): Generator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte-order mark, as Excel writes
  const endRecord = (): CsvRecord | undefined => {
    fields.push(field);
    const record = fields.length === 1 && field.trim() === '' ? undefined : { fields, line: start };
    fields = [];
    field = '';
    return record;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      const openLine = line;
      const openColumn = fields.length + 1;
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new InvalidDataError(
            `${source}, line ${openLine}, column ${openColumn}: a quoted field is never closed. Add the closing quote, and write a quote inside a quoted field as "".`,
          );
        }
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        } else if (text[i] === '\n') line++;
        field += text[i++];
      }
      i++;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      const record = endRecord();
      if (record) yield record;
      start = ++line;
    } else {
      let j = i + 1;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field += text.slice(i, j);
      i = j;
    }
  }
  const record = endRecord();
  if (record) yield record;
}
