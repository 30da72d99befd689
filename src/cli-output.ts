import type { LogFormat } from './log.js';
import { type Sink, safeWriter } from './safe-write.js';

/** What the start-up lines say: where dcr-mock listens, and what it was started with. */
export interface StartInfo {
  readonly url: string;
  readonly registrationEndpoint: string;
  readonly db: string;
  readonly inspector: string;
  readonly profile: string;
  /** The config file read, if any. */
  readonly config: string | undefined;
  /** `from`: the fixtures file, or the config file that holds them. */
  readonly fixtures: { readonly clients: number; readonly stored: number; readonly from: string } | undefined;
  /** The failure rules given at start, as specs. */
  readonly failures: readonly string[];
  /** `--latency`: milliseconds, or MIN-MAX. */
  readonly latency: string | undefined;
  /** `--tenant`: each tenant's issuer and store; none, and the start record has no `tenants`. */
  readonly tenants?: ReadonlyArray<{ readonly name: string; readonly issuer: string; readonly db: string }>;
}

/**
 * Everything the command prints, as text for a person or, with `--log json`, one JSON object a line
 * (start-up, request log, warnings and errors alike) for `jq`. Text keeps its first stdout line the URL;
 * JSON's first line is the start record, which holds the URL. Nothing it writes can throw.
 */
export class CliOutput {
  readonly #out: (text: string) => void;
  readonly #err: (text: string) => void;

  constructor(
    readonly format: LogFormat,
    io: { readonly stdout: Sink; readonly stderr: Sink },
    readonly now: () => Date = () => new Date(),
  ) {
    this.#out = safeWriter(io.stdout);
    this.#err = safeWriter(io.stderr);
  }

  /** Where the request log goes: stdout. */
  readonly request = (line: string): void => this.#out(line);

  start(info: StartInfo): void {
    if (this.format === 'json') {
      const { fixtures, config, latency, tenants, ...rest } = info;
      this.#json(this.#out, 'start', {
        ...rest,
        config: config ?? null,
        fixtures: fixtures ?? null,
        latency: latency ?? null,
        ...(tenants && tenants.length > 0 ? { tenants } : {}),
      });
      return;
    }
    const lines = [
      info.url,
      `registration endpoint: ${info.registrationEndpoint}`,
      `db: ${info.db}`,
      `inspector: ${info.inspector}`,
      `profile: ${info.profile}`,
    ];
    if (info.config) lines.push(`config: ${info.config}`);
    if (info.fixtures) {
      const { clients, stored, from } = info.fixtures;
      lines.push(`fixtures: ${clients} client${clients === 1 ? '' : 's'} from ${from}, ${stored} newly stored`);
    }
    for (const spec of info.failures) lines.push(`failure rule: ${spec}`);
    if (info.latency) lines.push(`latency: ${info.latency} ms`);
    for (const { name, issuer, db } of info.tenants ?? []) lines.push(`tenant ${name}: ${issuer} (db: ${db})`);
    this.#out(`${lines.join('\n')}\n`);
  }

  /** Something a person should know that does not stop dcr-mock. */
  warn(message: string): void {
    if (this.format === 'json') this.#json(this.#err, 'warning', { message });
    else this.#err(`[dcr-mock] Warning: ${message}\n`);
  }

  /** Why dcr-mock stops: a `Failed to …` sentence. */
  fail(message: string, exitCode: number): void {
    if (this.format === 'json') this.#json(this.#err, 'error', { message, exitCode });
    else this.#err(`[dcr-mock] ${message}\n`);
  }

  /** A line the server reports while it runs (`[dcr-mock] Warning: …`, `[dcr-mock] Unexpected error …`). */
  readonly report = (line: string): void => {
    if (this.format !== 'json') {
      this.#err(`${line}\n`);
      return;
    }
    const message = line.replace(/^\[dcr-mock\] /, '');
    if (message.startsWith('Unexpected error')) this.#json(this.#err, 'error', { message });
    else this.#json(this.#err, 'warning', { message: message.replace(/^Warning: /, '') });
  };

  #json(write: (text: string) => void, event: string, fields: Record<string, unknown>): void {
    write(`${JSON.stringify({ time: this.now().toISOString(), event, ...fields })}\n`);
  }
}
