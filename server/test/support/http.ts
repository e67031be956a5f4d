import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/**
 * Asserts an RFC 9457 problem+json answer: the status (the body shown when it differs), the content
 * type, the code and, when given, the field it names.
 */
export function problem(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().code).toBe(code);
  if (field !== undefined) expect(res.json().field).toBe(field);
}

/** `problem`, and the answer carries its Chinese detail (`detailZh`). */
export function problemZh(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  problem(res, status, code, field);
  expect(typeof res.json().detailZh).toBe('string');
}

/** `problem`, and the body repeats the status (`status` member). */
export function expectProblem(
  res: LightMyRequestResponse,
  status: number,
  code: string,
  field?: string,
): void {
  problem(res, status, code, field);
  expect(res.json().status).toBe(status);
}
