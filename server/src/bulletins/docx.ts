import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  ImageRun,
  Packer,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { barColour, barRects, solidPng } from './chart.ts';
import type { Block } from './content.ts';

const FONT = { ascii: 'Noto Sans CJK SC', eastAsia: '宋体', hAnsi: 'Noto Sans CJK SC' };
/** A4 with 2.5 cm margins: 11 906 − 2 × 1 417 twips of text width. */
const TEXT_WIDTH_TWIPS = 9072;

function table(block: Extract<Block, { kind: 'table' }>): Table {
  const total = block.columns.reduce((s, c) => s + c.weight, 0);
  const widths = block.columns.map((c) => Math.round((c.weight / total) * TEXT_WIDTH_TWIPS));
  const cell = (text: string, i: number, header: boolean) =>
    new TableCell({
      width: { size: widths[i] ?? 1000, type: WidthType.DXA },
      ...(header ? { shading: { type: ShadingType.CLEAR, fill: 'DCE6F2', color: 'auto' } } : {}),
      children: [
        new Paragraph({
          alignment: header ? AlignmentType.CENTER : AlignmentType.LEFT,
          children: [new TextRun({ text, bold: header, size: 18, font: FONT })],
        }),
      ],
    });
  return new Table({
    width: { size: TEXT_WIDTH_TWIPS, type: WidthType.DXA },
    columnWidths: widths,
    rows: [
      new TableRow({ tableHeader: true, children: block.columns.map((c, i) => cell(c.header, i, true)) }),
      ...block.rows.map((r) => new TableRow({ children: r.map((text, i) => cell(text, i, false)) })),
    ],
  });
}

const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER };

/**
 * The bar chart as a borderless table: unit name, a bar (a one-colour PNG stretched to its
 * length) and the value. Word and LibreOffice show it alike, labels as real text.
 */
function chart(block: Extract<Block, { kind: 'chart' }>): (Paragraph | Table)[] {
  const widths = [3400, 4700, 972];
  const text = (t: string, align: (typeof AlignmentType)[keyof typeof AlignmentType]) =>
    new Paragraph({ alignment: align, children: [new TextRun({ text: t, size: 18, font: FONT })] });
  const rows = barRects(block.bars).map(
    (r) =>
      new TableRow({
        children: [
          new TableCell({
            borders: NO_BORDERS,
            width: { size: widths[0] ?? 0, type: WidthType.DXA },
            children: [text(r.label, AlignmentType.RIGHT)],
          }),
          new TableCell({
            borders: NO_BORDERS,
            width: { size: widths[1] ?? 0, type: WidthType.DXA },
            children: [
              new Paragraph({
                children: [
                  new ImageRun({
                    type: 'png',
                    data: solidPng(barColour(r.value)),
                    // 300 px for 100 %.
                    transformation: { width: Math.max(1, Math.round((r.value / 100) * 300)), height: 14 },
                    altText: {
                      name: r.label,
                      title: r.label,
                      description: `${r.label} ${r.value.toFixed(1)}%`,
                    },
                  }),
                ],
              }),
            ],
          }),
          new TableCell({
            borders: NO_BORDERS,
            width: { size: widths[2] ?? 0, type: WidthType.DXA },
            children: [text(`${r.value.toFixed(1)}%`, AlignmentType.LEFT)],
          }),
        ],
      }),
  );
  return [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 120, after: 80 },
      children: [new TextRun({ text: block.title, bold: true, size: 22, font: FONT })],
    }),
    new Table({ width: { size: TEXT_WIDTH_TWIPS, type: WidthType.DXA }, columnWidths: widths, rows }),
    new Paragraph({ children: [] }),
  ];
}

/** A bulletin as a Word document. */
export async function bulletinDocx(blocks: Block[], title: string): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'title':
        children.push(
          new Paragraph({
            heading: HeadingLevel.TITLE,
            alignment: AlignmentType.CENTER,
            children: [new TextRun({ text: b.text, bold: true, size: 36, font: FONT })],
          }),
        );
        break;
      case 'subtitle':
        children.push(
          new Paragraph({
            alignment: AlignmentType.CENTER,
            spacing: { after: 240 },
            children: [new TextRun({ text: b.text, size: 22, font: FONT })],
          }),
        );
        break;
      case 'heading':
        children.push(
          new Paragraph({
            heading: HeadingLevel.HEADING_1,
            spacing: { before: 240, after: 120 },
            children: [new TextRun({ text: b.text, bold: true, size: 28, font: FONT })],
          }),
        );
        break;
      case 'para':
        children.push(
          new Paragraph({
            indent: { firstLine: 480 },
            spacing: { after: 120, line: 360 },
            children: [new TextRun({ text: b.text, size: 24, font: FONT })],
          }),
        );
        break;
      case 'table':
        children.push(table(b), new Paragraph({ children: [] }));
        break;
      case 'chart':
        children.push(...chart(b));
        break;
    }
  }
  const doc = new Document({
    creator: 'Duban 督办',
    title,
    styles: { default: { document: { run: { font: FONT } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: 11906, height: 16838 },
            margin: { top: 1440, bottom: 1440, left: 1417, right: 1417 },
          },
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
