/**
 * Scores commitment extraction against a labelled jsonl file (default: the dev set in
 * test/fixtures/extraction/dev.jsonl) and prints the figures; never asserts.
 *
 *   npm run eval:extract --workspace server [-- FILE.jsonl] [-- --verbose]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, formatScores, parseLabelled } from '../src/extract/evaluate.ts';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const file =
  args.find((a) => !a.startsWith('--')) ??
  path.join(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/extraction/dev.jsonl');
const docs = parseLabelled(fs.readFileSync(file, 'utf8'));

const all = evaluate(docs);
console.log(formatScores(`${path.basename(file)} (all labelled items)`, all.scores));
console.log(
  formatScores(
    'without cover-letter directives',
    evaluate(docs, { excludeKinds: ['cover_letter_directive'] }).scores,
  ),
);
console.log(
  formatScores('with the labelled document year', evaluate(docs, { useLabelledYear: true }).scores),
);
if (verbose) {
  for (const r of all.reports) {
    if (r.misses.length + r.spurious.length + r.wrong.length === 0) continue;
    console.log(`\n${r.id}`);
    for (const m of r.misses) console.log(`  missed   ${m.slice(0, 60)}`);
    for (const s of r.spurious) console.log(`  spurious ${s.slice(0, 60)}`);
    for (const w of r.wrong)
      console.log(
        `  ${w.field.padEnd(8)} ${w.task.slice(0, 30)}: expected ${JSON.stringify(w.expected)}, got ${JSON.stringify(w.got)}`,
      );
  }
}
