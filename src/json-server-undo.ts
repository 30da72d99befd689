import { parse as parseQuery } from 'node:querystring';
import { safeDecode, segments } from './json-server-guard.js';

type Item = Record<string, unknown>;
type Data = Record<string, unknown>;

/**
 * What one write through json-server changes in the collections, to take back should db.json not take
 * it: the 500 that follows then leaves the store as it was before, and every later write can still go
 * through. json-server 1.0.0-beta.3 changes the data in place right after its first look at it, then
 * writes: POST pushes an item, PUT and PATCH swap one, DELETE takes one out, sets the foreign keys
 * naming it to null in the other collections and drops the `_dependent` ones' items so orphaned.
 * What others change meanwhile (a registration, say) is left alone: only json-server's own change is undone.
 */
export class WriteUndo {
  readonly #method: string;
  readonly #name: string;
  readonly #id: string | undefined;
  readonly #dependents: string[];
  #looked = false;
  #items: Item[] | undefined;
  #old: Item | undefined;
  #at = -1;
  #made: Item | undefined;
  #nulled: Array<[Item, string]> = [];
  #arrays = new Map<string, unknown[]>();

  constructor(method: string, url: string) {
    const [name = '', id] = segments(url);
    this.#method = method;
    this.#name = safeDecode(name);
    this.#id = id === undefined ? undefined : safeDecode(id);
    const q = url.indexOf('?');
    this.#dependents = [parseQuery(q === -1 ? '' : url.slice(q + 1))['_dependent'] ?? []].flat();
  }

  /** json-server's first look at the data in this request: nothing is changed yet. */
  before(data: Data): void {
    if (this.#looked) return;
    this.#looked = true;
    const items = data[this.#name];
    if (!Array.isArray(items)) return;
    this.#items = items as Item[];
    if (this.#id === undefined) return;
    this.#at = this.#items.findIndex((item) => item?.['id'] === this.#id);
    this.#old = this.#items[this.#at];
    if (this.#method !== 'DELETE' || this.#old === undefined) return;
    for (const [key, others] of Object.entries(data)) {
      if (key === this.#name || !Array.isArray(others)) continue;
      if (this.#dependents.includes(key)) this.#arrays.set(key, others);
      for (const item of others as Item[]) {
        for (const [field, value] of Object.entries(item ?? {})) {
          if (value === this.#id && field.endsWith('Id')) this.#nulled.push([item, field]);
        }
      }
    }
  }

  /** json-server has made its change and now writes it out. */
  changed(): void {
    const items = this.#items;
    if (items === undefined) return;
    if (this.#method === 'POST') this.#made = items.at(-1);
    else if (this.#method !== 'DELETE') this.#made = items.find((item) => item?.['id'] === this.#id);
  }

  /** db.json did not take the change: what json-server changed goes back as it was. */
  undo(data: Data): void {
    const items = this.#items;
    if (items === undefined) return;
    if (this.#method === 'DELETE') {
      if (this.#old !== undefined && !items.includes(this.#old)) {
        items.splice(Math.min(this.#at, items.length), 0, this.#old);
      }
      for (const [item, field] of this.#nulled) if (item[field] === null) item[field] = this.#id;
      for (const [key, before] of this.#arrays) {
        const now = data[key];
        if (now === before || !Array.isArray(now)) continue;
        const kept = new Set(before);
        data[key] = [...before, ...now.filter((item) => !kept.has(item))];
      }
      return;
    }
    const at = this.#made === undefined ? -1 : items.indexOf(this.#made);
    if (at === -1) return;
    if (this.#method === 'POST') items.splice(at, 1);
    else if (this.#old !== undefined) items[at] = this.#old;
  }
}
