/**
 * Optional LLM refinement of the rule-based candidates (any OpenAI-compatible chat endpoint, e.g. a
 * locally served Qwen). Off unless DUBAN_LLM_URL is set; the rule-based extractor stays the default
 * and works offline. The text is cut into chunks at line ends; for each chunk the model gets the
 * text and the rule-based candidates and answers the corrected, completed list as JSON. Anything
 * wrong — network error, timeout, HTTP error, a reply that is not the JSON asked for — keeps the
 * rule-based candidates of that chunk, with a warning. Items the model returns are kept only when
 * their task is found word for word in the chunk (their citation is where it stands), unit names
 * only when they appear in the chunk, deadlines only when they are real dates.
 */
import { z } from 'zod';
import { findTargets } from './targets.ts';
import type { ExtractedItem } from './types.ts';

export type LlmConfig = {
  /** Base URL of the API; `/chat/completions` is appended (e.g. http://127.0.0.1:8000/v1). */
  url: string;
  model: string;
  key?: string | undefined;
  /** Per request (default 60 s); one retry after a failure. */
  timeoutMs?: number;
  /** Largest chunk of text sent in one request (characters, default 6000). */
  chunkChars?: number;
};

export const DEFAULT_LLM_MODEL = 'qwen2.5-7b-instruct';

/** The configuration from DUBAN_LLM_URL / DUBAN_LLM_MODEL / DUBAN_LLM_KEY; undefined when no URL. */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LlmConfig | undefined {
  const url = env.DUBAN_LLM_URL?.trim();
  if (!url) return undefined;
  return {
    url,
    model: env.DUBAN_LLM_MODEL?.trim() || DEFAULT_LLM_MODEL,
    key: env.DUBAN_LLM_KEY?.trim() || undefined,
  };
}

const names = z.array(z.string().trim().min(1).max(100)).max(30);
const LlmItem = z.object({
  task: z.string().trim().min(2).max(2000),
  lead: names.default([]),
  collaborators: names.default([]),
  deadline: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine(
      (d) =>
        !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    )
    .nullable()
    .default(null),
  deadline_text: z.string().max(200).nullable().default(null),
  recurring: z.string().max(100).nullable().default(null),
});
const LlmReply = z.object({ items: z.array(LlmItem).max(500) });
const ChatCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

const SYSTEM_PROMPT = `你是政府督办工作的助手，从公文中抽取督办事项（任务分工）。
给你一段公文原文 text 和规则抽取器得到的候选事项 candidates。请核对并修正、补全候选：
- task：事项原文，必须与原文逐字一致（可以是原文中的一段连续文字），不含末尾的单位或时限括号；
- lead：牵头单位（按原文写法）；collaborators：配合单位；
- deadline：完成时限的最后一天（YYYY-MM-DD，如"6月底前"为当年06-30，"年底前"为12-31），没有或为持续性工作时为 null；
- deadline_text：原文中的时限表述；recurring：持续推进、长期坚持、每季度等表述，否则为 null。
删除不是督办事项的候选，补上遗漏的事项。只输出 JSON：{"items":[{"task":"","lead":[],"collaborators":[],"deadline":null,"deadline_text":null,"recurring":null}]}`;

export type RefineResult = { items: ExtractedItem[]; chunks: number; refined: number; dropped: number };

/**
 * The candidates refined chunk by chunk; never throws for the endpoint's sake (a failed chunk keeps
 * its rule-based candidates and `warn` is told why).
 */
export async function refineWithLlm(
  text: string,
  candidates: ExtractedItem[],
  config: LlmConfig,
  opts: { year?: number | null | undefined; warn?: (message: string) => void } = {},
): Promise<RefineResult> {
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  const chunks = chunkText(text, config.chunkChars ?? 6000);
  const out: ExtractedItem[] = [];
  let refined = 0;
  let dropped = 0;
  for (const [index, chunk] of chunks.entries()) {
    const mine = candidates.filter(
      (c) => c.citation.start >= chunk.start && c.citation.start < chunk.start + chunk.text.length,
    );
    try {
      const reply = await askWithRetry(config, chunk.text, mine, opts.year ?? null);
      const merged = mergeReply(chunk, mine, reply.items);
      dropped += merged.dropped;
      if (merged.items.length === 0 && mine.length > 0) {
        warn(
          `LLM 第 ${index + 1} 段的结果无法在原文中定位，保留规则抽取结果 / LLM chunk ${index + 1}: no item found in the text; rule-based result kept`,
        );
        out.push(...mine);
        continue;
      }
      out.push(...merged.items);
      refined++;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      warn(
        `LLM 第 ${index + 1} 段失败，保留规则抽取结果 / LLM chunk ${index + 1} failed (${reason}); rule-based result kept`,
      );
      out.push(...mine);
    }
  }
  out.sort((a, b) => a.citation.start - b.citation.start);
  return { items: out, chunks: chunks.length, refined, dropped };
}

type Chunk = { start: number; text: string };

/** Cuts at line ends into chunks of at most `max` characters (a longer line is cut where it must). */
export function chunkText(text: string, max: number): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + max);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end - 1);
      if (nl > start) end = nl + 1;
    }
    chunks.push({ start, text: text.slice(start, end) });
    start = end;
  }
  return chunks;
}

async function askWithRetry(
  config: LlmConfig,
  text: string,
  candidates: ExtractedItem[],
  year: number | null,
): Promise<z.infer<typeof LlmReply>> {
  try {
    return await ask(config, text, candidates, year);
  } catch {
    return await ask(config, text, candidates, year);
  }
}

async function ask(
  config: LlmConfig,
  text: string,
  candidates: ExtractedItem[],
  year: number | null,
): Promise<z.infer<typeof LlmReply>> {
  const user = JSON.stringify({
    year,
    text,
    candidates: candidates.map((c) => ({
      task: c.task,
      lead: c.lead,
      collaborators: c.collaborators,
      deadline: c.deadline,
      deadline_text: c.deadline_text,
      recurring: c.recurring,
    })),
  });
  const response = await fetch(`${config.url.replace(/\/+$/, '')}/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(config.key ? { authorization: `Bearer ${config.key}` } : {}),
    },
    body: JSON.stringify({
      model: config.model,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: user },
      ],
      temperature: 0,
      response_format: { type: 'json_object' },
    }),
    signal: AbortSignal.timeout(config.timeoutMs ?? 60_000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const completion = ChatCompletion.safeParse(await response.json());
  if (!completion.success) throw new Error('not a chat completion');
  const content = completion.data.choices[0]?.message.content ?? '';
  // Some servers wrap JSON in a ```json fence despite response_format.
  const json = content.replace(/^\s*```(?:json)?\s*/i, '').replace(/\s*```\s*$/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('reply is not JSON');
  }
  const reply = LlmReply.safeParse(parsed);
  if (!reply.success)
    throw new Error(`reply does not match the schema (${reply.error.issues[0]?.path.join('.')})`);
  return reply.data;
}

/**
 * The model's items placed in the chunk: the task is looked for from where the previous one was
 * found (then anywhere); an item whose task is not in the text is dropped. A rule-based candidate
 * starting at the same place lends its citation end (the unit bracket), targets and milestones.
 */
function mergeReply(
  chunk: Chunk,
  candidates: ExtractedItem[],
  items: z.infer<typeof LlmItem>[],
): { items: ExtractedItem[]; dropped: number } {
  const out: ExtractedItem[] = [];
  const used = new Set<number>();
  let dropped = 0;
  let from = 0;
  const inText = (n: string) => chunk.text.includes(n);
  for (const item of items) {
    let at = chunk.text.indexOf(item.task, from);
    if (at < 0) at = chunk.text.indexOf(item.task);
    while (at >= 0 && used.has(at)) at = chunk.text.indexOf(item.task, at + 1);
    if (at < 0) {
      dropped++;
      continue;
    }
    used.add(at);
    from = at + item.task.length;
    const start = chunk.start + at;
    const rule = candidates.find((c) => c.citation.start === start);
    const end = Math.max(
      start + item.task.length,
      rule && rule.citation.end <= chunk.start + chunk.text.length ? rule.citation.end : 0,
    );
    const sameTask = rule?.task === item.task;
    const merged: ExtractedItem = {
      task: item.task,
      lead: item.lead.filter(inText),
      collaborators: item.collaborators.filter(inText),
      deadline: item.deadline,
      deadline_text: item.deadline_text,
      recurring: item.recurring,
      targets: sameTask && rule ? rule.targets : findTargets(item.task),
      citation: { start, end },
    };
    if (rule?.milestones && rule.deadline === item.deadline) merged.milestones = rule.milestones;
    out.push(merged);
  }
  return { items: out, dropped };
}
