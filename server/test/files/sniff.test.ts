import { describe, expect, it } from 'vitest';
import { attachmentDisposition, attachmentName } from '../../src/files/name.ts';
import { SNIFF_BYTES, sniffMediaType } from '../../src/files/sniff.ts';
import { exeBytes, pdfBytes } from './support.ts';

const bytes = (...b: number[]) => Buffer.from(b);
const pad = (head: Buffer, size = 64) =>
  Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 0x01)]);

const ZIP = bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00);
const OLE = bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);

describe('sniffMediaType accepts', () => {
  it.each([
    ['PDF', pdfBytes(), 'a.pdf', 'application/pdf'],
    ['PNG', pad(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), 'a.png', 'image/png'],
    ['JPEG', pad(bytes(0xff, 0xd8, 0xff, 0xe0)), 'photo.JPG', 'image/jpeg'],
    ['GIF87a', pad(Buffer.from('GIF87a')), 'a.gif', 'image/gif'],
    ['GIF89a', pad(Buffer.from('GIF89a')), 'a.gif', 'image/gif'],
    [
      'WebP',
      pad(Buffer.concat([Buffer.from('RIFF'), bytes(0x24, 0, 0, 0), Buffer.from('WEBPVP8 ')])),
      'a.webp',
      'image/webp',
    ],
    [
      'docx',
      pad(ZIP),
      '报告.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    ['xlsx', pad(ZIP), '台账.XLSX', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['pptx', pad(ZIP), 'a.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['OFD', pad(ZIP), '公文.ofd', 'application/ofd'],
    ['zip under another name', pad(ZIP), 'photos.rar', 'application/zip'],
    ['zip without an extension', pad(ZIP), 'archive', 'application/zip'],
    ['doc', pad(OLE), 'old.doc', 'application/msword'],
    ['xls', pad(OLE), 'old.xls', 'application/vnd.ms-excel'],
    ['ppt', pad(OLE), 'old.ppt', 'application/vnd.ms-powerpoint'],
    ['ASCII text', Buffer.from('plain words\n'), 'notes.txt', 'text/plain'],
    ['Chinese UTF-8 text with a BOM', Buffer.from('\uFEFF整改已完成，见附件。\n'), '说明.txt', 'text/plain'],
    ['CSV', Buffer.from('单位,进度\n市教育局,80\n'), 'progress.csv', 'text/csv'],
    ['markdown', Buffer.from('# 标题\n'), 'readme.md', 'text/plain'],
  ])('%s', (_label, head, name, type) => {
    expect(sniffMediaType(head, name)).toBe(type);
  });

  it('text whose sample ends inside a multi-byte character', () => {
    // '督' is three bytes; SNIFF_BYTES - 1 ASCII bytes then '督' cuts it after its first byte.
    const text = Buffer.concat([Buffer.alloc(SNIFF_BYTES - 1, 'a'), Buffer.from('督办')]);
    expect(sniffMediaType(text.subarray(0, SNIFF_BYTES), 'long.txt')).toBe('text/plain');
  });

  it('text longer than the sample is judged on the sample only', () => {
    const text = Buffer.concat([Buffer.alloc(SNIFF_BYTES, 'a'), bytes(0xff, 0x00)]);
    expect(sniffMediaType(text, 'long.txt')).toBe('text/plain');
  });
});

describe('sniffMediaType refuses', () => {
  it.each([
    ['an executable renamed .pdf', exeBytes(), 'invoice.pdf'],
    ['an executable renamed .txt', exeBytes(), 'invoice.txt'],
    ['an executable renamed .docx', exeBytes(), 'invoice.docx'],
    ['an ELF binary', pad(Buffer.from('\x7fELF\x02\x01\x01', 'latin1')), 'tool.png'],
    ['HTML', Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'page.html'],
    ['HTML renamed .txt', Buffer.from('<html><body onload="x()"></body></html>'), 'page.txt'],
    ['HTML after a BOM and blank lines', Buffer.from('\uFEFF\n\n  <script>alert(1)</script>'), 'page.txt'],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'a.svg'],
    ['SVG renamed .png', Buffer.from('<?xml version="1.0"?><svg/>'), 'a.png'],
    ['a script named .js', Buffer.from('alert(document.cookie)\n'), 'a.js'],
    ['a batch file', Buffer.from('@echo off\r\ndel /q *\r\n'), 'run.bat'],
    ['text without an extension', Buffer.from('hello\n'), 'README'],
    ['text with a NUL byte', Buffer.from('abc\u0000def'), 'a.txt'],
    ['UTF-16 text', Buffer.from('\uFEFFhello', 'utf16le'), 'a.txt'],
    ['GBK text (not UTF-8)', bytes(0xb6, 0xbd, 0xb0, 0xec, 0x0a), 'a.txt'],
    ['an OLE file that is not Office (an .msi installer)', pad(OLE), 'setup.msi'],
    ['an OLE file renamed .pdf', pad(OLE), 'a.pdf'],
    ['an empty file', Buffer.alloc(0), 'a.txt'],
    ['a truncated PNG signature', bytes(0x89, 0x50, 0x4e), 'a.png'],
    [
      'RIFF that is not WebP (a WAV)',
      pad(Buffer.concat([Buffer.from('RIFF'), bytes(0, 0, 0, 0), Buffer.from('WAVE')])),
      'a.webp',
    ],
  ])('%s', (_label, head, name) => {
    expect(sniffMediaType(head, name)).toBeUndefined();
  });
});

describe('attachmentName', () => {
  it('keeps a fitting name', () => {
    expect(attachmentName('整改报告.pdf', 'application/pdf')).toBe('整改报告.pdf');
    expect(attachmentName('photo.JPEG', 'image/jpeg')).toBe('photo.JPEG');
  });

  it('drops folders, control and bidi characters and leading dots', () => {
    expect(attachmentName('C:\\Users\\x\\..\\report.pdf', 'application/pdf')).toBe('report.pdf');
    expect(attachmentName('../../etc/passwd.txt', 'text/plain')).toBe('passwd.txt');
    expect(attachmentName('invoice\u202Efdp.exe', 'application/pdf')).toBe('invoicefdp.exe.pdf');
    expect(attachmentName('...hidden.txt', 'text/plain')).toBe('hidden.txt');
  });

  it('gives the content extension to a mismatched or missing one', () => {
    expect(attachmentName('report.exe', 'application/pdf')).toBe('report.exe.pdf');
    expect(attachmentName('scan', 'image/png')).toBe('scan.png');
    expect(attachmentName('', 'image/png')).toBe('附件.png');
  });

  it('names a download after the hash', () => {
    expect(attachmentDisposition('a'.repeat(64), 'text/csv')).toBe(
      `attachment; filename="${'a'.repeat(64)}.csv"`,
    );
  });
});
