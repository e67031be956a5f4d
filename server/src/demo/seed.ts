import { sql } from 'kysely';
import { setMfaEnforced } from '../auth/mfa.ts';
import type { AppContext } from '../context.ts';
import { seedEvaluationDemo } from '../evaluation/demo.ts';
import { reindexItems } from '../intake/similarity/index.ts';
import { ensureStandardCategories, STANDARD_CATEGORIES } from '../items/categories.ts';
import { loadActor } from '../org/scope.ts';
import type { Actor } from '../shared/actor.ts';
import { shanghaiDate } from '../shared/time.ts';
import { createDemoAccounts, grantDemoAccess, writeDemoAccounts } from './accounts.ts';
import { seedDemoComplaints } from './complaints.ts';
import { demoItemDraft } from './corpus.ts';
import { createDemoOrg, DEMO_COUNTIES, DEMO_PROVINCE } from './org.ts';
import { type Final, type ItemPlan, type LightGoal, type Party, planSteps, type Step } from './plan.ts';
import { createRng, type Rng } from './random.ts';

export type SeedResult = { items: number; units: number; users: number; accountsText: string };

/** True when the database has no users yet: the first start of a fresh embedded database. */
export async function isEmptyDatabase(ctx: AppContext): Promise<boolean> {
  const row = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}

/**
 * 演示数据: 浙江省 with its cities and four 杭州 districts, standard units, an account per role,
 * and ≥ 300 items whose histories are simulated through the real commands, in time order, so every
 * state, category, urgency and light appears with plausible reports, returns and extensions.
 */
export async function seedDemo(
  ctx: AppContext,
  opts: { password?: string | undefined; seed?: number; log?: (line: string) => void } = {},
): Promise<SeedResult> {
  const log = opts.log ?? (() => undefined);
  if (!(await isEmptyDatabase(ctx)))
    throw new Error('演示数据只能写入空数据库 / demo data needs an empty database');
  const now = ctx.now();
  const today = shanghaiDate(now);
  const rng = createRng(opts.seed ?? 20261127);
  const setupAt = new Date(now.getTime() - 400 * 86_400_000);

  log('导入行政区划与单位 / regions and units…');
  await ensureStandardCategories(ctx.db);
  const org = await createDemoOrg(ctx.db, setupAt);
  const { credentials, ids, extra } = await createDemoAccounts(ctx.db, org.unitIds, setupAt, opts.password);
  // 双因素认证 is not enforced in the demo, so a newcomer signs in without an authenticator app
  // (the login page says so); anyone may still turn it on under 安全设置.
  await setMfaEnforced(ctx.db, false);
  // 授权: the province supervisor and leader see the 敏感 items of the whole demo; the supervisor may
  // also read a complaint's contact data unmasked (each read audited).
  await grantDemoAccess(ctx.db, ids, setupAt);

  const actors = new Map<string, Actor>();
  const actorFor = async (userId: string) => {
    let a = actors.get(userId);
    if (!a) {
      a = await loadActor(ctx.db, userId, 'system');
      actors.set(userId, a);
    }
    return a;
  };
  const named = async (username: string) => {
    const id = ids.get(username);
    if (!id) throw new Error(`demo: no account ${username}`);
    return actorFor(id);
  };
  const extraNames: string[] = [];
  const handlerByUnit = new Map<string, Actor>();
  const provinceHousing = org.unitIds.get('province:housing');
  if (provinceHousing) handlerByUnit.set(provinceHousing, await named('handler'));
  const handlerOf = async (unit: { id: string; name: string }, regionCode: string): Promise<Party> => {
    let actor = handlerByUnit.get(unit.id);
    if (!actor) {
      const username = `h_${regionCode}_${String(extraNames.length + 1).padStart(3, '0')}`;
      actor = await actorFor(await extra(username, `${unit.name}承办人（演示）`, unit.id, ['handler']));
      handlerByUnit.set(unit.id, actor);
      extraNames.push(username);
    }
    return { unitId: unit.id, actor };
  };
  const supervisorByRegion = new Map<string, Actor>([[DEMO_PROVINCE, await named('supervisor')]]);
  const supervisorOf = async (regionCode: string): Promise<Actor> => {
    let actor = supervisorByRegion.get(regionCode);
    if (!actor) {
      const office = org.offices.get(regionCode);
      if (!office) throw new Error(`demo: no supervision office in ${regionCode}`);
      const username = `sup_${regionCode}`;
      actor = await actorFor(
        await extra(username, `${org.regionNames.get(regionCode)}督查员（演示）`, office, ['supervisor']),
      );
      supervisorByRegion.set(regionCode, actor);
      extraNames.push(username);
    }
    return actor;
  };
  const leader = await named('leader');

  log('编排事项历史 / planning item histories…');
  const finals = finalsDeck(rng);
  let categoryTurn = 0;
  const newPlan = async (
    regionCode: string,
    final: Final,
    opts2: { preferUnit?: string } = {},
  ): Promise<ItemPlan> => {
    const depts = org.departments.get(regionCode) ?? [];
    const pool = rng.shuffle([...depts]);
    const preferred = opts2.preferUnit ? depts.find((d) => d.id === opts2.preferUnit) : undefined;
    const leadUnit = preferred && rng.chance(0.6) ? preferred : (pool[0] ?? depts[0]);
    if (!leadUnit) throw new Error(`demo: no departments in ${regionCode}`);
    const collabUnits = pool.filter((d) => d.id !== leadUnit.id).slice(0, rng.int(0, 2));
    if (preferred && leadUnit !== preferred && rng.chance(0.4) && !collabUnits.includes(preferred))
      collabUnits.push(preferred);
    const categoryCode = STANDARD_CATEGORIES[categoryTurn++ % STANDARD_CATEGORIES.length]?.code;
    const plan: ItemPlan = {
      ref: { id: null },
      draft: demoItemDraft(rng, {
        regionName: org.regionNames.get(regionCode) ?? '',
        ...(categoryCode ? { categoryCode } : {}),
      }),
      supervisor: await supervisorOf(regionCode),
      leader,
      lead: await handlerOf(leadUnit, regionCode),
      collaborators: [],
      final,
      light: lightDeck(rng, latenessOf(leadUnit.name)),
      lateness: latenessOf(leadUnit.name),
    };
    // One at a time: each new handler account takes the next number.
    for (const u of collabUnits) plan.collaborators.push(await handlerOf(u, regionCode));
    if (['in_progress', 'completion_requested', 'suspended'].includes(final)) {
      const roll = rng.next();
      if (roll < 0.12) plan.extension = 'approved';
      else if (roll < 0.18) plan.extension = 'pending';
      else if (roll < 0.22) plan.extension = 'rejected';
    }
    if (rng.chance(0.08) && pool.length > 3) {
      const other = pool.find((d) => d.id !== leadUnit.id && !collabUnits.includes(d));
      if (other) plan.returnedBy = await handlerOf(other, regionCode);
    }
    if (['completed', 'evaluated', 'archived'].includes(final) && rng.chance(0.25)) plan.rejectOnce = true;
    return plan;
  };

  const plans: ItemPlan[] = [];
  const quota: [string, number][] = [
    [DEMO_PROVINCE, 120],
    ['330100', 64],
    ['330200', 36],
    ['330300', 28],
    ...DEMO_COUNTIES.map((c): [string, number] => [c, 8]),
  ];
  for (const [region, count] of quota) {
    for (let i = 0; i < count; i++) {
      const final = finals();
      plans.push(
        await newPlan(
          region,
          final,
          region === DEMO_PROVINCE && provinceHousing ? { preferUnit: provinceHousing } : {},
        ),
      );
    }
  }
  // 分解下达: province items to three cities each, and 杭州 items down to two districts each.
  const decomposable = (p: ItemPlan) => p.final === 'in_progress' && !p.extension && !p.returnedBy;
  const provinceParents = plans
    .filter((p) => p.supervisor === supervisorByRegion.get(DEMO_PROVINCE) && decomposable(p))
    .slice(0, 10);
  for (const parent of provinceParents) {
    const cities = rng.sample(org.cities, 3);
    parent.decompose = { children: [] };
    for (const city of cities) {
      const office = org.offices.get(city);
      if (!office) continue;
      const child = await newPlan(
        city,
        rng.pick<Final>(['in_progress', 'in_progress', 'completed', 'dispatched']),
      );
      child.createdByParent = true;
      child.draft = { ...parent.draft, title: `${parent.draft.title}（${org.regionNames.get(city)}）` };
      parent.decompose.children.push({ plan: child, assigningUnitId: office, weight: rng.int(1, 3) });
    }
  }
  const hangzhou = await supervisorOf('330100');
  const cityParents = plans
    .filter((p) => p.supervisor === hangzhou && decomposable(p) && !p.decompose)
    .slice(0, 5);
  for (const parent of cityParents) {
    parent.decompose = { children: [] };
    for (const county of rng.sample(DEMO_COUNTIES, 2)) {
      const office = org.offices.get(county);
      if (!office) continue;
      const child = await newPlan(county, rng.pick<Final>(['in_progress', 'completed', 'dispatched']));
      child.createdByParent = true;
      child.draft = { ...parent.draft, title: `${parent.draft.title}（${org.regionNames.get(county)}）` };
      parent.decompose.children.push({ plan: child, assigningUnitId: office, weight: 1 });
    }
  }

  // Parents first, so children's dates are fixed by their parent's decompose step.
  const steps: Step[] = [];
  const visit = (p: ItemPlan) => {
    steps.push(...planSteps(rng, p, today, now));
    for (const c of p.decompose?.children ?? []) visit(c.plan);
  };
  for (const p of plans) visit(p);
  steps.sort((a, b) => a.at.getTime() - b.at.getTime());

  log(`模拟 ${steps.length} 个办理步骤 / replaying ${steps.length} steps…`);
  // One transaction for the whole history: the demo lands completely or not at all.
  await ctx.db.transaction().execute(async (tx) => {
    let done = 0;
    for (const step of steps) {
      try {
        await step.run(tx, step.at);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(
          `演示数据步骤失败 / demo step failed: ${step.label} @ ${step.at.toISOString()}: ${why}`,
        );
      }
      done++;
      if (done % 500 === 0) log(`  ${done}/${steps.length}`);
    }
  });
  // 评估与回头看 (evaluation/demo.ts): citizen ratings, third-party scores and 回头看 rows.
  const evaluation = await seedEvaluationDemo(ctx.db, { evaluatorId: ids.get('evaluator'), now });
  log(
    `评估与回头看 / evaluation: ${evaluation.ratings} 条满意度, ${evaluation.evaluations} 份第三方评估, ${evaluation.followups} 条回头看`,
  );
  // 受理池: citizens' complaints of the last four weeks, some problems reported again and again (热点话题).
  const complaints = await ctx.db
    .transaction()
    .execute((tx) => seedDemoComplaints(tx, rng, { now, province: DEMO_PROVINCE }));
  log(`受理池 / intake: ${complaints} 条群众诉求`);
  // 重复督办: every demo item in the duplicate index (createItem indexes them; this also catches edits).
  await reindexItems(ctx.db);
  // 单位负责人审批: on, after the simulated histories, for every unit with a head (省住建厅's unit_head).
  await ctx.db
    .updateTable('units')
    .set({ require_head_approval: true })
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('users')
          .select('users.id')
          .whereRef('users.unit_id', '=', 'units.id')
          .where('users.active', '=', true)
          .where(sql<boolean>`'unit_head' = any(users.roles)`),
      ),
    )
    .execute();
  const items = await ctx.db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const units = await ctx.db
    .selectFrom('units')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const accountsText = writeDemoAccounts(ctx.dataDir, credentials, extraNames);
  return {
    items: Number(items.n),
    units: Number(units.n),
    users: credentials.accounts.length + extraNames.length,
    accountsText,
  };
}

/** The mix of final states for top-level items. */
function finalsDeck(rng: Rng): () => Final {
  const weights: [Final, number][] = [
    ['draft', 4],
    ['registered', 5],
    ['dispatched', 9],
    ['returned', 4],
    ['in_progress', 38],
    ['completion_requested', 7],
    ['completed', 8],
    ['evaluated', 8],
    ['archived', 9],
    ['suspended', 4],
    ['cancelled', 4],
  ];
  return () => rng.weighted(weights);
}

function lightDeck(rng: Rng, lateness = 0.3): LightGoal {
  return rng.weighted<LightGoal>([
    ['green', 45],
    ['yellow', 20],
    ['red', 10],
    ['overdue', 25 * (0.4 + 2 * lateness)],
  ]);
}

/**
 * 滞后风险: a unit's lateness trait, fixed by its name (so the demo stays reproducible and no draw of
 * the main generator moves): about a quarter of the units are chronically late (0.6–1), the rest
 * mostly punctual (0–0.35). planSteps lets it drive completion dates, progress and report spacing.
 */
function latenessOf(unitName: string): number {
  const r = createRng(`lateness:${unitName}`);
  return r.chance(0.25) ? r.float(0.6, 1) : r.float(0, 0.35);
}
