/**
 * jose, loaded on first use: importing it costs ~45 ms of start-up (bench/NOTES.md), and most runs
 * verify no software statement and sign no token. Its types are imported as types, which cost nothing.
 */
export type Jose = typeof import('jose');

let loading: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  loading ??= import('jose');
  return loading;
}
