import { z } from 'zod';

/** 热点话题: citizens' records of the last days clustered into topics (GET /api/v1/intake/topics). */
export const TopicsQuery = z
  .object({
    days: z.coerce.number().int().min(7).max(180).default(30).describe('the window: the last N days (7–180)'),
    minSize: z.coerce
      .number()
      .int()
      .min(2)
      .max(1000)
      .default(2)
      .describe('the fewest records a topic has (≥ 2)'),
    region: z
      .string()
      .regex(/^\d{6}$/, 'expected a 6-digit GB/T 2260 code')
      .optional()
      .describe("GB/T 2260 code of a region in the caller's scope; default: the caller's region"),
  })
  .strict();
export type TopicsParams = z.infer<typeof TopicsQuery>;

/** At most this many topics are listed (largest first). */
export const TOPICS_SHOWN = 100;

export const TopicKeyParams = z.object({ topicKey: z.uuid() }).strict();

export type TopicRegion = { code: string; name: string; count: number };
export type TopicLinkedItem = { id: string; number: string; title: string; records: number };

export type TopicView = {
  key: string;
  label: string;
  phrases: string[];
  count: number;
  regions: TopicRegion[];
  firstSeen: string;
  lastSeen: string;
  /** Records per week, oldest first (the weeks of TopicsAnswer.weekStarts). */
  weekly: number[];
  lastWeek: number;
  previousWeeklyAverage: number;
  rising: boolean;
  linkedItems: TopicLinkedItem[];
  sampleRecordIds: string[];
};

export type TopicsAnswer = {
  days: number;
  minSize: number;
  regionCode: string;
  threshold: number;
  since: string;
  until: string;
  weekStarts: string[];
  recordsConsidered: number;
  cap: number;
  /** More records than the cap were in the window: only the newest `cap` were clustered. */
  capped: boolean;
  /** Topics found; `topics` lists the first TOPICS_SHOWN of them (largest first). */
  totalTopics: number;
  topics: TopicView[];
};
