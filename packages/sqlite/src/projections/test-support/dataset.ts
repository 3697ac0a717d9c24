// The story is @custodian/testing's, so the Postgres tables are checked on the very same one.
import { analyticsStory } from '@custodian/testing';

export const { policy, checkout, campaigns, insights, support, dpo, customer, SUBJECTS, QUESTIONS, BRIGHTMAIL, PARCELGO, storyClock, writeStory } = analyticsStory;
export type StoryClock = analyticsStory.StoryClock;
export type Story = analyticsStory.Story;
