// Servers under test run as child processes, so the load generator never shares their event loop.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const STDERR_KEPT = 4096;

/** Every child not yet reaped, so an interrupted run can still kill them all. */
const running = new Set();

/**
 * Spawns `node [nodeArgs] <argv>` and resolves once it prints its base URL as its first stdout line.
 * The returned handle knows whether the child died before it was asked to stop.
 */
export async function startChild(argv, { nodeArgs = [] } = {}) {
  const proc = spawn(process.execPath, [...nodeArgs, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (text) => {
    stderr = (stderr + text).slice(-STDERR_KEPT);
  });
  const child = {
    proc,
    url: '',
    stopping: false,
    /** Set when the child exits without being asked to: { code, signal }. */
    crash: undefined,
    get stderr() {
      return stderr;
    },
    exited: once(proc, 'exit')
      .catch(() => [null, null])
      .then(([code, signal]) => {
        running.delete(proc);
        if (!child.stopping) child.crash = { code, signal };
        return { code, signal };
      }),
  };
  try {
    child.url = await firstLine(proc, child.exited);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`Failed to start ${argv.join(' ')}: ${err.message}${stderr ? `\n${stderr.trim()}` : ''}`);
  }
  // Keep the pipe drained: a child blocked on a full stdout would look slow.
  proc.stdout.resume();
  return child;
}

function firstLine(proc, exited) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no URL on stdout within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      proc.stdout.off('data', onData);
      resolve(text.slice(0, end).trim());
    };
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`it exited (${signal ?? `code ${code}`}) before printing its URL`));
    });
  });
}

/** SIGTERM (a graceful stop: dcr-mock writes db.json), then SIGKILL if it takes too long. */
export async function stopChild(child) {
  child.stopping = true;
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.exited;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const result = await child.exited;
  clearTimeout(timer);
  return result;
}

/** Last resort on interrupt or exit: no waiting, no flushing. */
export function killAllChildren() {
  for (const proc of running) proc.kill('SIGKILL');
  running.clear();
}

/** POSTs a JSON body with a fresh connection; resolves with the status, headers and body text. */
export function postJson(url, body, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      timeout: timeoutMs,
      headers: { 'content-type': 'application/json' },
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

/** GETs `url` with a fresh connection; resolves with the status and the milliseconds to the whole answer. */
export function getTimed(url, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent: false, timeout: timeoutMs });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.end();
  });
}
