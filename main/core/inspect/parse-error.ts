import { AppError } from '../errors';

/**
 * Input a parser cannot read: an `input` AppError that says where (1-based line and column)
 * and what it found there. Parsers never crash or hang on garbage; they throw this.
 */
export class ParseError extends AppError {
  constructor(
    what: string,
    readonly line: number,
    readonly column: number,
    message: string,
    source = '<input>',
  ) {
    super('input', `${source}:${line}:${column}: cannot read ${what}: ${message}`, {
      location: { file: source, line, column },
    });
    this.name = 'ParseError';
  }
}
