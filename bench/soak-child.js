// The server under soak: dcr-mock's programmatic API in a forked process, reporting over IPC
// what only it can see (memory, open handles, unhandled rejections). Started by bench/soak.js.
import { startDcrMock } from '../dist/index.js';

const problems = { unhandledRejections: 0, uncaughtExceptions: 0 };
process.on('unhandledRejection', (reason) => {
  problems.unhandledRejections++;
  console.error('[soak server] unhandled rejection:', reason);
});
process.on('uncaughtException', (err) => {
  problems.uncaughtExceptions++;
  console.error('[soak server] uncaught exception:', err);
});

const [db = ':memory:'] = process.argv.slice(2);
const mock = await startDcrMock({ port: 0, db, seed: 'soak' });

/** Active resources by type, e.g. { TCPSocketWrap: 3, Timeout: 1 }. */
function resources() {
  const counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

function sample() {
  // Twice: the first can leave what it freed for the next to return.
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed, resources: resources(), gc: typeof globalThis.gc === 'function', ...problems };
}

process.on('message', async (message) => {
  if (message.type === 'sample') process.send({ type: 'sample', ...sample() });
  if (message.type === 'stop') {
    await mock.close();
    // A finished fs request is listed until the next turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
    process.send({ type: 'stopped', resources: resources(), ...problems });
    process.disconnect();
  }
});
process.send({ type: 'ready', url: mock.url });
