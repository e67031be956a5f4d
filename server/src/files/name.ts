import { ACCEPTED_MEDIA_TYPES, type AcceptedMediaType, EXTENSIONS, extensionOf } from './sniff.ts';

const MAX_NAME_LENGTH = 200;
const FALLBACK_NAME = '附件';

/**
 * The name an attachment is shown and saved under: the client's name without any folder part or
 * control characters, and with an extension that matches the content, so a PDF sent as
 * `report.exe` comes back as `report.exe.pdf` and never opens as something else on a desktop.
 */
export function attachmentName(declaredName: string, mediaType: string): string {
  const base = (declaredName.split(/[\\/]/).pop() ?? '')
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .replace(/^\.+/, '');
  const name = [...(base || FALLBACK_NAME)].slice(0, MAX_NAME_LENGTH).join('');
  if (!isAccepted(mediaType)) return name;
  const allowed = EXTENSIONS[mediaType];
  return allowed.includes(extensionOf(name)) ? name : `${name}.${allowed[0]}`;
}

/** A download's `Content-Disposition`, named after the hash with the type's extension. */
export function attachmentDisposition(sha256: string, mediaType: string): string {
  const ext = isAccepted(mediaType) ? EXTENSIONS[mediaType][0] : 'bin';
  return `attachment; filename="${sha256}.${ext}"`;
}

function isAccepted(mediaType: string): mediaType is AcceptedMediaType {
  return (ACCEPTED_MEDIA_TYPES as readonly string[]).includes(mediaType);
}
