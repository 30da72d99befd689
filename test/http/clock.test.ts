import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerClock } from '../../src/clock.js';
import { startDcrMock } from '../../src/index.js';
import { controlPlane } from '../support/control.js';
import { register } from '../support/server.js';

const CLOCK = '2026-01-01T00:00:00.000Z';
const METADATA = { client_name: 'Clock', redirect_uris: ['https://app.example.com/cb'] };

describe('ServerClock', () => {
  it('moves a fixed time forward, never back, and resets', () => {
    const clock = new ServerClock(new Date(CLOCK));
    expect(clock.now().toISOString()).toBe(CLOCK);
    expect(clock.advance(3600).toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(clock.advance(0.5).toISOString()).toBe('2026-01-01T01:00:00.500Z');
    expect(clock.offsetSeconds).toBe(3600.5);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e12])
      expect(() => clock.advance(bad)).toThrow(RangeError);
    clock.reset();
    expect(clock.now().toISOString()).toBe(CLOCK);
  });

  it('adds its offset to real time when no time is fixed', () => {
    const clock = new ServerClock();
    const before = Date.now();
    const moved = clock.advance(86_400).getTime();
    expect(moved).toBeGreaterThanOrEqual(before + 86_400_000);
  });
});

describe('the clock from the control plane and the API', () => {
  let mock: Awaited<ReturnType<typeof startDcrMock>>;
  beforeAll(async () => {
    mock = await startDcrMock({ port: 0, db: ':memory:', clock: CLOCK });
  });
  afterAll(() => mock.close());

  it('POST /__dcr/clock moves it; the journal and the clients are stamped with the moved time; reset rewinds it', async () => {
    const control = controlPlane(mock.url);
    const moved = await control.at('POST', 'clock', { body: { advance: 7200 } });
    expect(moved.status).toBe(200);
    expect(moved.json).toEqual({ now: '2026-01-01T02:00:00.000Z', offset_seconds: 7200 });
    expect((await register(mock, METADATA)).status).toBe(201);
    expect(mock.requests()[0]?.time).toBe('2026-01-01T02:00:00.000Z');
    expect(mock.clients()[0]?.['created_at']).toBe('2026-01-01T02:00:00.000Z');
    expect(mock.advanceClock(60).toISOString()).toBe('2026-01-01T02:01:00.000Z');
    expect((await control.at('GET', 'clock')).json).toMatchObject({ offset_seconds: 7260 });
    await mock.reset();
    expect((await control.at('GET', 'clock')).json).toEqual({ now: CLOCK, offset_seconds: 0 });
  });

  it.each([[{ advance: -5 }], [{ advance: 'soon' }], [{}], ['3600']])(
    'refuses %j with a 400 that says what to send',
    async (body) => {
      const res = await controlPlane(mock.url).at('POST', 'clock', { body });
      expect(res.status).toBe(400);
      expect(res.json['error']).toBe('invalid_request');
      expect(res.json['error_description']).toMatch(/advance/);
      expect((await controlPlane(mock.url).at('GET', 'clock')).json).toMatchObject({ offset_seconds: 0 });
    },
  );
});
