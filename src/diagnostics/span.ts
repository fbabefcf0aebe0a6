/**
 * Source positions. A span is a half-open range of UTF-16 offsets in one file, with the 1-based line and
 * column of its start and end already computed, so that diagnostics never need the text to say where.
 */
export interface Span {
  readonly file: string;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset one past the last character (equal to `start` for an empty span). */
  readonly end: number;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A file's text with the offsets where its lines start, to turn offsets into lines and columns. */
export class SourceText {
  readonly lineStarts: number[];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  /** 1-based line and column of an offset; offsets past the end clamp to the end of the file. */
  position(offset: number): { line: number; column: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.lineStarts[lo]! + 1 };
  }

  /** The span of `[start, end)`. */
  span(start: number, end: number): Span {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return {
      file: this.path,
      // NOTE: offsets read from chevrotain's tokens are boxed numbers; stored as they are, every span held
      // one more heap object (`small` keeps them small integers, which spans store inline).
      start: small(start),
      end: small(Math.max(start, end)),
      line: a.line,
      column: a.column,
      endLine: b.line,
      endColumn: b.column,
    };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const from = this.lineStarts[line - 1];
    if (from === undefined) return "";
    const next = this.lineStarts[line];
    const to = next === undefined ? this.text.length : next - 1;
    return this.text.slice(from, to).replace(/\r$/, "");
  }
}

/** An integral offset as a small integer (an int32); anything else as it is. */
function small(n: number): number {
  return Number.isInteger(n) && n <= 0x7fffffff ? n | 0 : n;
}

/** The smallest span that covers both (they must be in the same file). */
export function cover(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  const last = a.end >= b.end ? a : b;
  return {
    file: a.file,
    start: first.start,
    end: last.end,
    line: first.line,
    column: first.column,
    endLine: last.endLine,
    endColumn: last.endColumn,
  };
}

/** "file:line:column", the form editors and terminals turn into links. */
export function formatLocation(span: Span): string {
  return `${span.file}:${span.line}:${span.column}`;
}
