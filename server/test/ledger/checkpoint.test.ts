import { formatCheckpoint, parseCheckpoint, parseNote } from '@duban/verifier';
import { describe, expect, it } from 'vitest';

// C2SP tlog-checkpoint.md example (github.com/C2SP/C2SP), verbatim.
const c2spExample = `example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
`;

const root = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');
const body = (
  size: string,
  hash = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
  origin = 'example.com/log',
) => `${origin}\n${size}\n${hash}\n`;

describe('parseCheckpoint', () => {
  it('parses the C2SP example body', () => {
    const note = parseNote(c2spExample);
    const cp = parseCheckpoint(note?.text);
    expect(cp).toEqual({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      rootHash: new Uint8Array(root),
      extensions: [],
    });
  });

  it('accepts size 0, the largest safe size, any non-empty origin and extension lines', () => {
    expect(parseCheckpoint(body('0'))?.size).toBe(0);
    expect(parseCheckpoint(body(String(Number.MAX_SAFE_INTEGER)))?.size).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseCheckpoint(body('5', undefined, 'go.sum database tree'))?.origin).toBe(
      'go.sum database tree',
    );
    expect(parseCheckpoint(`${body('5')}ext one\next-two\n`)?.extensions).toEqual(['ext one', 'ext-two']);
  });

  it.each([
    ['leading zero', body('01')],
    ['zero with a leading zero', body('00')],
    ['sign', body('+1')],
    ['negative', body('-1')],
    ['space', body(' 1')],
    ['decimal point', body('1.0')],
    ['exponent', body('1e3')],
    ['hex', body('0x10')],
    ['empty size', body('')],
    ['beyond 2^53 - 1', body('9007199254740992')],
    ['empty origin', body('1', undefined, '')],
    ['31-byte root', body('1', Buffer.alloc(31).toString('base64'))],
    ['33-byte root', body('1', Buffer.alloc(33).toString('base64'))],
    ['unpadded root', body('1', 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I')],
    ['stray bits in the root', body('1', 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=')],
    ['url-safe base64 root', body('1', '-_UYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=')],
    ['hex root', body('1', root.toString('hex'))],
    ['no final newline', body('1').slice(0, -1)],
    ['only two lines', 'example.com/log\n1\n'],
    ['empty extension line', `${body('1')}\next\n`],
    ['trailing blank line', `${body('1')}\n`],
    ['CRLF', body('1').replaceAll('\n', '\r\n')],
    ['empty', ''],
  ])('rejects %s', (_name, text) => {
    expect(parseCheckpoint(text)).toBeNull();
  });

  it('rejects non-strings', () => {
    for (const junk of [undefined, null, 1, {}, []]) expect(parseCheckpoint(junk)).toBeNull();
  });
});

describe('formatCheckpoint', () => {
  it('formats exactly the C2SP example body, and round-trips', () => {
    const text = formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: root });
    expect(text).toBe(parseNote(c2spExample)?.text);
    const cp = parseCheckpoint(text);
    expect(cp && formatCheckpoint(cp)).toBe(text);
    const withExt = formatCheckpoint({ origin: 'o', size: 0, rootHash: root, extensions: ['x y'] });
    expect(withExt).toBe(`o\n0\n${root.toString('base64')}\nx y\n`);
    expect(parseCheckpoint(withExt)?.extensions).toEqual(['x y']);
  });

  it('throws on what it cannot format', () => {
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash: root })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: root })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash: root })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 2 ** 53, rootHash: root })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root.subarray(1) })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root, extensions: [''] })).toThrow(
      RangeError,
    );
  });
});
