import { describe, expect, it } from '@jest/globals';
import { createProgress, render } from './progress';

function terminal(isTTY = true) {
  const written: string[] = [];
  return { stream: { write: (s: string) => written.push(s), isTTY, columns: 120 }, written };
}

describe('progress bar', () => {
  it('draws a bar with a percentage when the total is known', () => {
    expect(render('Verifying', 500_000, 1_000_000, 2_500)).toBe('Verifying [############------------]  50% 500,000/1,000,000 events 2.5s');
  });

  it('counts events when the total is unknown', () => {
    expect(render('Replaying', 20_000, undefined, 1_000)).toBe('Replaying 20,000 events 1.0s');
  });

  it('fits the terminal, or 80 columns when the terminal gives no size', () => {
    expect(render('Verifying', 1, 2, 0, 40)).toHaveLength(39);
    expect(render('Verifying', 1, 2, 0, 0)).toBe('Verifying [############------------]  50% 1/2 events 0.0s');
  });

  it('waits a moment before drawing, redraws at most every 100 ms, and clears itself', () => {
    let now = 0;
    const { stream, written } = terminal();
    const progress = createProgress({ stream, label: 'Verifying', total: 100, enabled: true, delayMs: 300, now: () => now });
    now = 200;
    progress.update(10);
    expect(written).toEqual([]);
    now = 300;
    progress.update(20);
    now = 350;
    progress.update(30);
    now = 400;
    progress.update(40);
    progress.finish();
    expect(written).toEqual([`\r\x1b[2K${render('Verifying', 20, 100, 300, 120)}`, `\r\x1b[2K${render('Verifying', 40, 100, 400, 120)}`, '\r\x1b[2K']);
  });

  it('leaves a short replay untouched, and never writes off a terminal or when disabled', () => {
    for (const [isTTY, enabled] of [
      [true, true],
      [false, true],
      [true, false],
    ] as const) {
      let now = 0;
      const { stream, written } = terminal(isTTY);
      const progress = createProgress({ stream, label: 'x', enabled, delayMs: isTTY && enabled ? 300 : 0, now: () => now });
      now = isTTY && enabled ? 100 : 10_000;
      progress.update(1);
      progress.finish();
      expect(written).toEqual([]);
    }
  });
});
