import yargs from 'yargs';
import { CATALOGUE, DEFAULT_ENDPOINT, MODE_NAMES } from './failures/catalogue.js';
import { OPTIONS, flagName, helpDefault } from './options.js';
import { VERSION } from './version.js';

/**
 * The text of `--help`, laid out by yargs for a terminal of `columns`. Loaded only when asked for:
 * yargs and its layout (string-width, cliui, y18n) take ~100 ms to import, more than the rest of a
 * start; the flags themselves are read by yargs-parser (`command-line.ts`), the parser yargs uses.
 */
export function helpText(columns: number | undefined): string {
  const parser = yargs()
    .scriptName('dcr-mock')
    .usage(
      "$0 [options] [DB.json]\n\nA local emulator of Auth0's Dynamic Client Registration endpoint (POST /oidc/register).",
    );
  for (const option of OPTIONS) {
    if (option.flag === undefined) continue;
    const { help, helpDefault: _, choices, ...spec } = option.flag;
    // Choices are shown but checked by the option's own check, which also reads variables and files.
    const describe = choices ? `${help} [choices: ${choices.map((c) => `"${c}"`).join(', ')}]` : help;
    parser.option(flagName(option.name), { ...spec, describe, defaultDescription: helpDefault(option) });
  }
  let printed = '';
  parser
    .example('$0', 'serve http://127.0.0.1:4000 with ./db.json')
    .example('$0 clients.json', 'the same with ./clients.json as the db, as json-server takes it')
    .example('$0 --port 0 --db :memory: --seed ci', 'a free port, nothing kept, seeded credentials')
    .example('$0 --fail rate_limited:times=2', 'the first two registrations get 429, then all succeed')
    .example("$0 --fail 'service_unavailable:rate=0.25'", 'a seeded 25% of registrations get 503')
    .example(
      '$0 --profile rfc7591 --initial-access-token @tokens.txt',
      'RFC 7591/7592, registration protected by the tokens in tokens.txt',
    )
    .example('$0 --max-clients 10 --rate-limit auth0', "a free Auth0 tenant's limits")
    .example('$0 --fixtures fixtures/clients.json', 'start with three known clients')
    .example('$0 --port 0 --url-file dcr-mock.url &', 'in the background; the URL is in dcr-mock.url once it listens')
    .example('$0 --login consent', '/authorize shows an Accept/Decline page instead of redirecting at once')
    .example("$0 --api 'https://api.example.com/:read:items'", 'declare an API: tokens for it, its scopes only')
    .example('$0 --fail token:invalid_grant:times=1', 'the next token request gets 403 invalid_grant')
    .epilog(
      `Failure modes: ${MODE_NAMES.join(', ')}.\nOther endpoints (ENDPOINT:MODE): ${CATALOGUE.endpointNames.filter((e) => e !== DEFAULT_ENDPOINT).join(', ')}; their modes: docs/authorization.md.\nRule keys: times, after, rate, client_name, redirect_uri, header (NAME:PATTERN), ms, status, retry_after.\n\nEvery option also reads from DCR_MOCK_<NAME>, e.g. DCR_MOCK_PORT=4100. Flags win over variables, variables over the config file.`,
    )
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, columns || 110))
    .exitProcess(false)
    .parseSync(['--help'], {}, (_err, _argv, output) => {
      printed = output;
    });
  return printed;
}
