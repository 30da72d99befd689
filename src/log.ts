export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What is known of a request once it is answered: one log line, one journal entry. */
export interface RequestRecord {
  /** When it was answered, in milliseconds since the epoch; written out as an ISO time. */
  at: number;
  method: string;
  path: string;
  status: number;
  ms: number;
  failure?: string | undefined;
}

export type RequestLogger = (record: RequestRecord) => void;

export function createRequestLogger(format: LogFormat, write: (line: string) => void): RequestLogger {
  if (format === 'json') {
    return ({ at, ...rest }) =>
      write(`${JSON.stringify({ time: new Date(at).toISOString(), event: 'request', ...rest })}\n`);
  }
  return ({ method, path, status, ms, failure }) =>
    write(`${method} ${path} ${status} ${ms.toFixed(1)}ms${failure ? ` failure=${failure}` : ''}\n`);
}
