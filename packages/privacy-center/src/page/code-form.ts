import { escapeHtml as e } from '@custodian/core';
import { layout } from './layout';
import type { RenderContext } from './render';

export interface CodeFormPage {
  /** Where the form posts: the link itself. */
  readonly action: string;
  readonly csrfToken: string;
  readonly attemptsLeft: number;
  /** Why she sees the form again: a wrong code. */
  readonly problem?: string | undefined;
}

/** The form a link with a code opens on: the code she was sent by another channel, posted with its form token. */
export function renderCodeForm(page: CodeFormPage, context: RenderContext): string {
  const problem = page.problem ? `<p class="broken" role="alert" data-error="CODE_WRONG">${e(page.problem)}</p>\n` : '';
  return layout(
    `Your code: ${context.title}`,
    `<h1>Enter the code we sent you</h1>
<p>To open your page at ${e(context.title)}, enter the 6-digit code we sent you by another channel (SMS or email). It is good for 10 minutes; after ${page.attemptsLeft === 1 ? 'one more wrong code' : `${page.attemptsLeft} wrong codes`} this link no longer opens.</p>
${problem}<form method="post" action="${e(page.action)}" data-code-form>
<input type="hidden" name="csrf" value="${e(page.csrfToken)}">
<p><label for="code">Code</label> <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" minlength="6" maxlength="6" required></p>
<p><button type="submit">Open my page</button></p>
</form>`,
  );
}
