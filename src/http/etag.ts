import { HttpError } from './problems.js';

/** The ETag of a version: `"3"`. */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * The version an `If-Match` header names: `"3"` (or `W/"3"`). Absent or `*` is no condition
 * (undefined); several tags, or a tag that is not a version, is `invalid_input`.
 */
export function versionFromIfMatch(header: string | null): number | undefined {
  if (header === null || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) {
    throw new HttpError(400, 'Bad Request', 'invalid_input', 'headers.if-match: expected one entity tag, the version of the deal ("3")', { path: 'headers.if-match' });
  }
  return Number(match[1]);
}
