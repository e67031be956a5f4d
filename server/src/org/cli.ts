import { type Command, InvalidArgumentError } from 'commander';
import type { AppContext } from '../context.ts';
import { ensureStandardCategories, STANDARD_CATEGORIES } from '../items/categories.ts';
import { ROLES, type Role } from '../shared/actor.ts';
import { regionCodeArg, withContext } from '../shared/cli.ts';
import { DomainError } from '../shared/errors.ts';
import { generatePassword } from './password.ts';
import { importRegions } from './regions.ts';
import { isRole, isUuid } from './scope.ts';
import { createStandardUnits } from './standard-units.ts';
import { findUnit, findUnitsByName } from './units.ts';
import { createUser } from './users.ts';

function parseRoles(value: string): Role[] {
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const bad = roles.filter((r) => !isRole(r));
  if (roles.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(`角色应为 / roles must be among: ${ROLES.join(', ')}`);
  }
  return roles.filter(isRole);
}

/** Resolves --unit: a unit id, or a unit name that is unique across regions. */
async function resolveUnit(ctx: AppContext, ref: string) {
  if (isUuid(ref)) {
    const unit = await findUnit(ctx.db, ref);
    if (unit) return unit;
  }
  const matches = await findUnitsByName(ctx.db, ref);
  const [first] = matches;
  if (first && matches.length === 1) return first;
  if (matches.length > 1) {
    const ids = matches.map((u) => `${u.id} (${u.region_code})`).join(', ');
    throw new DomainError('CONFLICT', {
      zh: `有多个名为“${ref}”的单位，请用单位 ID：${ids}`,
      en: `several units are named ${ref}; use the unit id: ${ids}`,
    });
  }
  throw new DomainError('UNIT_NOT_FOUND', { zh: `单位“${ref}”不存在`, en: `unit ${ref} not found` });
}

/** `duban org import-regions`, `duban org create-units`, `duban org create-categories`, `duban user add`. */
export function registerOrgCommands(program: Command, open: () => Promise<AppContext>): void {
  const org = program.command('org').description('组织机构 / regions and units');

  org
    .command('import-regions')
    .description('导入行政区划 (GB/T 2260) / import regions: all of China, or one province')
    .option('--code <code>', '省级代码，如 330000 / a province code such as 330000', regionCodeArg)
    .action(async (opts: { code?: string }) => {
      await withContext(open, async (ctx) => {
        const { count } = await importRegions(ctx.db, { code: opts.code, at: ctx.now() });
        console.log(`已导入 ${count} 个行政区划 / imported ${count} regions`);
      });
    });

  org
    .command('create-units')
    .description('按标准部门清单创建单位 / create the standard units of one region')
    .requiredOption('--region <code>', '行政区划代码 / region code', regionCodeArg)
    .action(async (opts: { region: string }) => {
      await withContext(open, async (ctx) => {
        const result = await createStandardUnits(ctx.db, opts.region, {
          meta: { actorId: null, at: ctx.now() },
        });
        for (const unit of result.created) console.log(`${unit.id}  ${unit.name}`);
        console.log(
          `新建 ${result.created.length} 个，已存在 ${result.existing} 个 / created ${result.created.length}, existing ${result.existing}`,
        );
      });
    });

  org
    .command('create-categories')
    .description(
      '写入标准督办类别（同编码的类别恢复为标准定义）/ create the standard categories (restores same-code ones)',
    )
    .action(async () => {
      await withContext(open, async (ctx) => {
        await ensureStandardCategories(ctx.db);
        const n = STANDARD_CATEGORIES.length;
        console.log(`已写入 ${n} 个标准督办类别 / ${n} standard categories in place`);
      });
    });

  const user = program.command('user').description('用户 / users');
  user
    .command('add')
    .description('创建用户 / add a user')
    .requiredOption('--username <username>', '用户名 (3–32 位 a-z 0-9 _ . -)')
    .requiredOption('--name <name>', '姓名 / display name')
    .requiredOption('--unit <unit>', '单位 ID 或名称 / unit id or name')
    .requiredOption('--roles <roles>', `角色，逗号分隔 / comma-separated: ${ROLES.join(',')}`, parseRoles)
    .option('--password <password>', '密码（不填则随机生成）/ password (generated when omitted)')
    .action(
      async (opts: { username: string; name: string; unit: string; roles: Role[]; password?: string }) => {
        await withContext(open, async (ctx) => {
          const unit = await resolveUnit(ctx, opts.unit);
          const password = opts.password ?? generatePassword();
          const created = await createUser(
            ctx.db,
            { username: opts.username, displayName: opts.name, password, unitId: unit.id, roles: opts.roles },
            { actorId: null, at: ctx.now() },
          );
          console.log(`已创建用户 / created user ${created.username} (${created.id}) in ${unit.name}`);
          if (opts.password === undefined) console.log(`初始密码 / initial password: ${password}`);
        });
      },
    );
}
