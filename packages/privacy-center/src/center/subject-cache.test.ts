import { describe, expect, it, jest } from '@jest/globals';
import { ValidationError, type Actor, type ReadStreamOptions } from '@custodian/core';
import { overwriteRaw, rawRecords } from '@custodian/core/testing';
import { fixture, OTHER, pageJson, post, signIn, SUBJECT, type Fixture } from '../test-support/fixture';
import { createPrivacyCenter } from './create-privacy-center';

const dpo: Actor = { id: 'dpo@retailer', kind: 'employee', roles: ['privacy'] };

/** The reads her page makes of the store: whole streams, or only the last record of one. */
function countReads(f: Fixture): { whole: () => number; heads: () => number } {
  const calls: (ReadStreamOptions | undefined)[] = [];
  const readStream = f.store.readStream.bind(f.store);
  jest.spyOn(f.store, 'readStream').mockImplementation((stream, options) => {
    calls.push(options);
    return readStream(stream, options);
  });
  const isHead = (options: ReadStreamOptions | undefined) => options?.direction === 'backwards' && options.maxCount === 1;
  return { whole: () => calls.filter((options) => !isHead(options)).length, heads: () => calls.filter(isHead).length };
}

type Page = {
  csrfToken: string;
  generatedAt: string;
  chain: { ok: boolean };
  purposes: { purpose: string; consent?: { status: string } }[];
  recipients: { id: string; name?: string }[];
};
const page = async (f: Fixture, cookie: string) => (await pageJson(f, cookie)) as unknown as Page;
const consentOf = (data: Page, purpose: string) => data.purposes.find((p) => p.purpose === purpose)?.consent?.status;

describe('her streams kept between visits', () => {
  it('reads only the last record of her stream and of her recipients when nothing moved since her last visit', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    const first = await page(f, cookie);
    const reads = countReads(f);
    const again = await page(f, cookie);
    expect(reads.whole()).toBe(0);
    // Her stream and the one recipient she has given data to.
    expect(reads.heads()).toBe(2);
    expect(again).toEqual({ ...first, csrfToken: again.csrfToken, generatedAt: again.generatedAt });
  });

  it('shows what she just did: her own append moves her head', async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    const before = await pageJson(f, cookie);
    expect(consentOf(before as unknown as Page, 'marketing.email')).toBe('granted');
    const done = await post(f, '/consent/withdraw', cookie, { purpose: 'marketing.email', csrf: before.csrfToken });
    expect(done.status).toBeLessThan(400);
    expect(consentOf(await page(f, cookie), 'marketing.email')).toBe('withdrawn');
  });

  it("reads her streams again when a recipient's own stream moved, though hers did not", async () => {
    const f = await fixture();
    const cookie = await signIn(f);
    await page(f, cookie);
    await f.ledger.suspendRecipient({ recipientId: 'brightmail-agency', actor: dpo, reason: 'audit found gaps' });
    const reads = countReads(f);
    await page(f, cookie);
    expect(reads.whole()).toBeGreaterThanOrEqual(2);
    const after = countReads(f);
    await page(f, cookie);
    expect(after.whole()).toBe(0);
  });

  it('reads and checks her whole stream again after maxAgeMs: a record rewritten in place under the store shows as a broken chain by then', async () => {
    const f = await fixture({ center: { subjectCache: { maxAgeMs: 30_000 } } });
    const cookie = await signIn(f);
    expect((await page(f, cookie)).chain.ok).toBe(true);
    const [first] = rawRecords(f.store).filter((record) => record.stream === `subject-${SUBJECT}`);
    overwriteRaw(f.store, first!.stream, first!.revision, Buffer.from(Buffer.from(first!.bytes).toString('utf8').replace('checkout-form', 'checkout-fake')));

    // No append reveals a rewrite: until the entry is old enough, the checked answer stands.
    f.clock.advance(29_000);
    expect((await page(f, cookie)).chain.ok).toBe(true);
    f.clock.advance(1_000);
    expect((await page(f, cookie)).chain.ok).toBe(false);
  });

  it('reads and checks her whole stream at every visit with subjectCache: false', async () => {
    const f = await fixture({ center: { subjectCache: false } });
    const cookie = await signIn(f);
    await page(f, cookie);
    const reads = countReads(f);
    await page(f, cookie);
    expect(reads.whole()).toBeGreaterThanOrEqual(1);
    expect(reads.heads()).toBe(0);
    const [first] = rawRecords(f.store).filter((record) => record.stream === `subject-${SUBJECT}`);
    overwriteRaw(f.store, first!.stream, first!.revision, Buffer.from(Buffer.from(first!.bytes).toString('utf8').replace('checkout-form', 'checkout-fake')));
    expect((await page(f, cookie)).chain.ok).toBe(false);
  });

  it('keeps at most maxEntries customers, the least recently seen leaving first', async () => {
    const f = await fixture({ center: { subjectCache: { maxEntries: 1 } } });
    const [hers, theirs] = [await signIn(f), await signIn(f, OTHER)];
    await page(f, hers);
    await page(f, theirs);
    const reads = countReads(f);
    await page(f, theirs);
    expect(reads.whole()).toBe(0);
    await page(f, hers);
    expect(reads.whole()).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [{ maxEntries: 0 }, 'subjectCache.maxEntries'],
    [{ maxAgeMs: 0 }, 'subjectCache.maxAgeMs'],
    [{ maxEntries: 1.5 }, 'subjectCache.maxEntries'],
    [{ size: 10 }, 'subjectCache'],
    [true, 'subjectCache'],
  ])('refuses subjectCache %j with a ValidationError naming %s', async (subjectCache, field) => {
    const f = await fixture();
    const open = () =>
      createPrivacyCenter({ ledger: f.ledger, secret: 'a test secret of at least thirty-two bytes', notice: { id: 'n', version: 'v1' }, subjectCache: subjectCache as never });
    expect(open).toThrow(ValidationError);
    expect(open).toThrow(field);
  });
});
