/** A quantified target inside a task, e.g. 改造老旧小区50个 → {value: 50, unit: '个', what: '改造老旧小区'}. */
export type Target = { value: number; unit: string; what: string };

/** Character range [start, end) of an item in the extracted text; the slice begins with `task`. */
export type Citation = { start: number; end: number };

export type Milestone = { text: string; date: string };

/** A unit name as written, with the org-tree unit it was matched to (when a unit list was given). */
export type UnitMatch = { name: string; unitId: string; canonical: string };

/**
 * 候选督办事项: one commitment found in a document. The first eight fields are the exchange shape of
 * `duban extract --json`; `milestones` and `units` appear only when there is something to say.
 */
export type ExtractedItem = {
  task: string;
  lead: string[];
  collaborators: string[];
  deadline: string | null;
  deadline_text: string | null;
  /** The recurrence phrase (持续推进, 长期坚持, 每季度…) when the work has no single end, else null. */
  recurring: string | null;
  targets: Target[];
  citation: Citation;
  milestones?: Milestone[];
  /** Lead and collaborator names matched to the org tree (see normalise-unit.ts). */
  units?: UnitMatch[];
};

export type ExtractOptions = {
  /** Overrides the year found in the document (for phrases like 6月底前 that carry none); null: no year. */
  year?: number | null | undefined;
};
