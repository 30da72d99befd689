import { extname } from 'node:path';
import { usageError } from './errors.js';
import type { Config } from './option-types.js';
import { show } from './show.js';
import { MEMORY } from './store/store.js';

/** A tenant's name, as it goes into its issuer (`/t/NAME/`) and its db file (`db.NAME.json`). */
const TENANT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** --tenant and the tenants option: names, `a,b` for several; refuses a bad name and one given twice. */
export function checkTenants(value: unknown): readonly string[] {
  const names: string[] = [];
  for (const item of [value ?? []].flat()) {
    if (typeof item !== 'string') throw usageError(`--tenant must be a tenant name, got ${show(item)}`);
    for (const name of item.split(/[\s,]+/).filter(Boolean)) {
      if (!TENANT_NAME.test(name)) {
        throw usageError(
          `--tenant must be a name of lowercase letters, digits, "-" and "_", starting with a letter or digit (63 at most), got ${show(name)}`,
        );
      }
      if (names.includes(name)) throw usageError(`--tenant ${name} is given twice; give each tenant once`);
      names.push(name);
    }
  }
  return Object.freeze(names);
}

/**
 * The configuration of tenant `name`: the server's, with a seed of its own (so its credentials, users and
 * signing keys are its own, and the same on every run), a db file of its own beside the server's
 * (`db.json` → `db.NAME.json`, in memory when that is), and no issuer, key file or URL file, which are
 * the default issuer's.
 */
export function tenantConfig(config: Config, name: string): Config {
  return Object.freeze({
    ...config,
    seed: tenantSeed(config.seed, name),
    db: tenantDb(config.db, name),
    issuer: undefined,
    signingKey: undefined,
    urlFile: undefined,
    tenants: [],
  });
}

export const tenantSeed = (seed: string, name: string): string => `${seed}/t/${name}`;

export function tenantDb(db: string, name: string): string {
  if (db === MEMORY) return db;
  const ext = extname(db);
  return ext === '' ? `${db}.${name}` : `${db.slice(0, -ext.length)}.${name}${ext}`;
}
