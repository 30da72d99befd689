import type { LogFormat } from './config.js';

/** What is known of a request once it is answered: one log line, one journal entry. */
export interface RequestRecord {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  failure?: string | undefined;
}

export type RequestLogger = (record: RequestRecord) => void;

export function createRequestLogger(format: LogFormat, write: (line: string) => void): RequestLogger {
  if (format === 'json') return (record) => write(`${JSON.stringify(record)}\n`);
  return ({ method, path, status, ms, failure }) =>
    write(`${method} ${path} ${status} ${ms.toFixed(1)}ms${failure ? ` failure=${failure}` : ''}\n`);
}
