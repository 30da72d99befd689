// What Linux's /proc says about a process: its resident memory and the CPU time it has used.
// Both are undefined where there is no /proc (macOS, Windows), and the report shows a dash.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** VmRSS of `pid` in bytes (the `VmRSS: N kB` line of /proc/<pid>/status). */
export function rssOf(pid) {
  const kb = read(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+) kB$/m)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

let ticksPerSecond;
/** User + system CPU time of `pid` in seconds (fields 14 and 15 of /proc/<pid>/stat, in clock ticks). */
export function cpuSecondsOf(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name, field 2, is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
