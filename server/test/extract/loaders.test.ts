import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractItems } from '../../src/extract/extract.ts';
import { DocumentError, loadDocumentText } from '../../src/extract/load-text.ts';
import { makeDocx, makePdf, para, table } from './documents.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-extract-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Buffer | string) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

const failure = async (file: string) => {
  try {
    await loadDocumentText(file);
  } catch (err) {
    return err instanceof DocumentError ? err.code : 'other';
  }
  return 'none';
};

describe('text files', () => {
  it('reads UTF-8 with a BOM and CRLF line ends', async () => {
    const file = write(
      'bom.txt',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('第一行\r\n第二行\r\n')]),
    );
    expect(await loadDocumentText(file)).toBe('第一行\n第二行\n');
  });

  it('reads GB18030 (GBK) text', async () => {
    // 督办 in GBK
    const file = write('gbk.txt', Buffer.from([0xb6, 0xbd, 0xb0, 0xec]));
    expect(await loadDocumentText(file)).toBe('督办');
  });
});

describe('docx', () => {
  it('keeps paragraphs and one line per table row', async () => {
    const file = write(
      'plan.docx',
      makeDocx(
        para('2024年重点工作任务分工') +
          para('1.建成区级养老服务中心2个。（牵头单位：区民政局；完成时限：9月底前）') +
          table([
            ['序号', '重点任务', '牵头单位', '配合单位', '完成时限'],
            ['1', '新增公办幼儿园学位900个', '区教育局', '区住建局、区财政局', '8月底前'],
            ['2', '实施道路"白改黑"工程15公里', '区交通局', '各街道', '年底前'],
          ]),
      ),
    );
    const text = await loadDocumentText(file);
    expect(text.split('\n')).toEqual([
      '2024年重点工作任务分工',
      '1.建成区级养老服务中心2个。（牵头单位：区民政局；完成时限：9月底前）',
      '序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限',
      '1 | 新增公办幼儿园学位900个 | 区教育局 | 区住建局、区财政局 | 8月底前',
      '2 | 实施道路"白改黑"工程15公里 | 区交通局 | 各街道 | 年底前',
    ]);
    const items = extractItems(text);
    expect(items.map((i) => [i.task, i.lead, i.collaborators, i.deadline])).toEqual([
      ['建成区级养老服务中心2个。', ['区民政局'], [], '2024-09-30'],
      ['新增公办幼儿园学位900个', ['区教育局'], ['区住建局', '区财政局'], '2024-08-31'],
      ['实施道路"白改黑"工程15公里', ['区交通局'], ['各街道'], '2024-12-31'],
    ]);
  });

  it('reports a damaged file as unreadable', async () => {
    expect(await failure(write('broken.docx', 'not a zip'))).toBe('UNREADABLE');
  });
});

describe('pdf', () => {
  it('reads the text layer in reading order, joining wrapped lines and keeping table rows', async () => {
    const file = write(
      'plan.pdf',
      makePdf([
        [
          // Written out of order: the loader sorts by position. Line 1 runs to the right margin (it is
          // the widest), so line 2 continues its paragraph.
          { x: 72, y: 700, text: '巩固成效。（市住建局牵头，市财政局配合，11月底前完成）' },
          { x: 72, y: 760, text: '2023年城市更新工作分工方案' },
          { x: 72, y: 715, text: '1.完成老旧小区改造40个，同步实施雨污分流、管线入地和立面整治，' },
        ],
        [
          { x: 72, y: 760, text: '序号' },
          { x: 120, y: 760, text: '重点任务' },
          { x: 320, y: 760, text: '责任单位' },
          { x: 450, y: 760, text: '完成时限' },
          { x: 72, y: 740, text: '1' },
          { x: 120, y: 740, text: '新建口袋公园6个' },
          { x: 320, y: 740, text: '市园林局' },
          { x: 450, y: 740, text: '上半年' },
        ],
      ]),
    );
    const text = await loadDocumentText(file);
    expect(text.split('\n')).toEqual([
      '2023年城市更新工作分工方案',
      '1.完成老旧小区改造40个，同步实施雨污分流、管线入地和立面整治，巩固成效。（市住建局牵头，市财政局配合，11月底前完成）',
      '序号 | 重点任务 | 责任单位 | 完成时限',
      '1 | 新建口袋公园6个 | 市园林局 | 上半年',
    ]);
    const items = extractItems(text);
    expect(items.map((i) => [i.lead, i.collaborators, i.deadline])).toEqual([
      [['市住建局'], ['市财政局'], '2023-11-30'],
      [['市园林局'], [], '2023-06-30'],
    ]);
  });

  it('says a PDF without a text layer (a scan) has no text', async () => {
    expect(await failure(write('scan.pdf', makePdf([[]])))).toBe('NO_TEXT');
  });
});

describe('unsupported input', () => {
  it('refuses other extensions and missing files', async () => {
    expect(await failure(write('old.doc', 'x'))).toBe('UNSUPPORTED_FORMAT');
    expect(await failure(path.join(dir, 'missing.txt'))).toBe('UNREADABLE');
  });
});
