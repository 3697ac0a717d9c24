import { afterAll, beforeAll } from '@jest/globals';
import { subjectStream } from '@custodian/core';
import { storyFile, SUBJECT, tamper } from './fixture';

type StoryFile = Awaited<ReturnType<typeof storyFile>>;

/**
 * Two ledger files for a test file: the story as written, and the same story with the
 * subject's event at revision 2 changed in storage. Made before the tests, removed after.
 */
export function useStoryFiles(): { readonly story: StoryFile; readonly tampered: StoryFile } {
  const files = {} as { story: StoryFile; tampered: StoryFile };
  beforeAll(async () => {
    files.story = await storyFile();
    files.tampered = await storyFile();
    await tamper(files.tampered, subjectStream(SUBJECT), 2n);
  });
  afterAll(() => {
    files.story?.remove();
    files.tampered?.remove();
  });
  return files;
}
