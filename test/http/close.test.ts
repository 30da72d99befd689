import { describe, expect, it } from 'vitest';
import { startDcrMock } from '../../src/index.js';

describe('close()', () => {
  it('has released the listening socket by the time it resolves', async () => {
    const listening = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const before = listening();
    const mock = await startDcrMock({ port: 0, db: ':memory:' });
    expect(listening()).toBe(before + 1);
    await mock.close();
    expect(listening()).toBe(before);
  });
});
