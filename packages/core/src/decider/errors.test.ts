import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialRecipientState } from './recipient-state';
import { decideRecipient } from './decide';
import { CommandRefusedError, RefusalReason, subjectErasedRefusal } from './errors';

/** The reasons named in the first column of docs/events.md's "Command refusals" table. */
function documentedReasons(): string[] {
  const page = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'events.md'), 'utf8');
  const section = page.split('## Command refusals')[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return [...new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1] as string)))];
}

describe('CommandRefusedError.reason', () => {
  it('is one of a list defined once, the list docs/events.md gives', () => {
    expect([...RefusalReason.options].sort()).toEqual(documentedReasons().sort());
  });

  it('is typed by that list: a reason outside it does not compile', () => {
    // @ts-expect-error 'made_up' is no RefusalReason (checked by `tsc -p tsconfig.tests.json`)
    const error = new CommandRefusedError('made_up', 'never thrown');
    expect(RefusalReason.safeParse(error.reason).success).toBe(false);
  });

  it('carries a listed reason when the decider refuses', () => {
    const refusal = (() => {
      try {
        decideRecipient({ type: 'verifyRecipient', recipientId: 'parcelgo' }, initialRecipientState);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(CommandRefusedError);
    const reason: RefusalReason = (refusal as CommandRefusedError).reason;
    expect(RefusalReason.parse(reason)).toBe('recipient_unknown');
  });

  it("refuses a write that needs an erased subject's key with subject_erased, saying nothing more is recorded", () => {
    const refusal = subjectErasedRefusal();
    expect(refusal).toBeInstanceOf(CommandRefusedError);
    expect({ code: refusal.code, reason: refusal.reason, message: refusal.message }).toEqual({
      code: 'COMMAND_REFUSED',
      reason: 'subject_erased',
      message: 'the subject was erased; nothing more is recorded about their data',
    });
  });
});
