import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StartupError } from '../errors.js';
import { isObject } from '../is-object.js';
import { type User, fixtureUsers } from './users.js';

/**
 * The users option: a JSON file (an array of users, or an object with a `users` array, so a fixtures
 * file serves for both), or the array itself. Throws a StartupError naming the file or the entry.
 */
export function loadUsers(source: unknown, seed: string): User[] {
  if (typeof source !== 'string') return fixtureUsers(source ?? [], seed);
  const file = resolve(source);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StartupError(
      `Failed to load the users from ${file}: ${(err as Error).message}. Check the --users path and its JSON.`,
      2,
    );
  }
  if (isObject(parsed) && Array.isArray(parsed['users'])) return fixtureUsers(parsed['users'], seed);
  if (Array.isArray(parsed)) return fixtureUsers(parsed, seed);
  throw new StartupError(
    `Failed to load the users from ${file}: it must hold an array of users or {"users": [...]}.`,
    2,
  );
}
