import { describe, expect, it } from 'vitest';
import {
  applyDeal,
  applyWorkspace,
  emptyWorkspace,
  ERROR_CODES,
  PipelineError,
  PROBLEM_STATUS,
  PROBLEM_TYPE_BASE,
  toProblem,
} from '../src/index.js';

const EXPECTED_STATUS = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  duplicate_id: 409,
  pipeline_in_use: 409,
  stage_in_use: 409,
  default_pipeline: 409,
  last_pipeline: 409,
  standard_pipeline: 409,
  transition_not_allowed: 422,
  stage_not_in_pipeline: 422,
  stage_mapping_required: 422,
  required_fields_missing: 422,
  lost_reason_required: 422,
  time_went_backwards: 422,
  limit_exceeded: 422,
  storage_failed: 503,
} as const;

describe('toProblem', () => {
  it.each(ERROR_CODES.filter((code) => EXPECTED_STATUS[code] < 500))('maps %s to its documented status, a stable type and a title', (code) => {
    const problem = toProblem(new PipelineError(code, `something about ${code}`, { path: 'command.x' }));
    expect(problem.status).toBe(EXPECTED_STATUS[code]);
    expect(PROBLEM_STATUS[code]).toBe(EXPECTED_STATUS[code]);
    expect(problem).toMatchObject({ type: `${PROBLEM_TYPE_BASE}${code}`, code, detail: `something about ${code}`, path: 'command.x' });
    expect(problem.title.length).toBeGreaterThan(0);
  });

  it('documents a status for every code and nothing more', () => {
    expect(Object.keys(PROBLEM_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('gives every code its own type and title', () => {
    const problems = ERROR_CODES.map((code) => toProblem(new PipelineError(code, 'x')));
    expect(new Set(problems.map((p) => p.type)).size).toBe(ERROR_CODES.length);
    expect(new Set(problems.map((p) => p.title)).size).toBe(ERROR_CODES.length);
  });

  it('keeps the details of a real refusal, such as the violations of a move', () => {
    const { workspace } = applyWorkspace(
      emptyWorkspace(),
      {
        type: 'addLayout',
        layoutId: 'sales',
        name: 'Sales',
        stages: [
          { id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' },
          { id: 'quote', name: 'Quote', probability: 50, outcome: 'open', forecastCategory: 'pipeline' },
          { id: 'won', name: 'Won', probability: 100, outcome: 'won', forecastCategory: 'closed' },
        ],
      },
      { at: 0 },
    );
    const ws = applyWorkspace(workspace, { type: 'createPipeline', layoutId: 'sales', pipelineId: 'p', name: 'P', stages: ['new', 'quote', 'won'], rules: { allowSkip: false }, makeDefault: true }, { at: 0 }).workspace;
    const { deal } = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'D' } }, { at: 0 });
    let caught: unknown;
    try {
      applyDeal(ws, deal, { type: 'moveToStage', stageId: 'won' }, { at: 1 });
    } catch (e) {
      caught = e;
    }
    const problem = toProblem(caught);
    expect(problem.status).toBe(422);
    expect(problem.code).toBe('transition_not_allowed');
    expect(Array.isArray(problem.violations)).toBe(true);
    expect(JSON.parse(JSON.stringify(problem))).toEqual(problem);
  });

  it('lets the standard members win over details of the same name', () => {
    const problem = toProblem(new PipelineError('conflict', 'stale', { type: 'x', status: 200, title: 't', detail: 'd', code: 'c', currentVersion: 5 }));
    expect(problem).toEqual({
      type: `${PROBLEM_TYPE_BASE}conflict`,
      title: 'Version conflict',
      status: 409,
      detail: 'stale',
      code: 'conflict',
      currentVersion: 5,
    });
  });

  it('uses the host’s type base when given one', () => {
    expect(toProblem(new PipelineError('not_found', 'x'), { typeBase: 'https://api.example.com/problems/' }).type).toBe(
      'https://api.example.com/problems/not_found',
    );
  });

  it('recognises a PipelineError from another copy of the package by its shape', () => {
    const foreign = Object.assign(new Error('deal d9 does not exist'), { name: 'PipelineError', code: 'not_found', details: { dealId: 'd9' } });
    expect(toProblem(foreign)).toMatchObject({ status: 404, code: 'not_found', dealId: 'd9', detail: 'deal d9 does not exist' });
  });

  it.each([
    ['a TypeError', new TypeError('Cannot read properties of undefined (reading "secret")')],
    ['an Error with a code that is not ours', Object.assign(new Error('ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' })],
    ['a string', 'password=hunter2'],
    ['null', null],
    ['undefined', undefined],
    ['an object posing as a PipelineError with an unknown code', { name: 'PipelineError', code: 'boom', message: 'internal path /srv/x' }],
    ['an object whose getters throw', Object.defineProperty({ name: 'PipelineError' }, 'code', { get() { throw new Error('trap'); } })],
  ])('turns %s into a 500 that leaks nothing', (_, error) => {
    const problem = toProblem(error);
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'internal_error',
      correlationId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(JSON.stringify(problem)).not.toMatch(/secret|ECONNREFUSED|hunter2|\/srv|trap|stack/);
  });

  it('refuses to copy a prototype-polluting detail key', () => {
    const details = JSON.parse('{"__proto__": {"polluted": true}, "path": "x"}') as Record<string, unknown>;
    const problem = toProblem(new PipelineError('invalid_input', 'x', details));
    expect(Object.getPrototypeOf(problem)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(problem.path).toBe('x');
  });

  describe('a storage failure', () => {
    const driverError = Object.assign(new Error('connect ECONNREFUSED db-primary.internal:5432'), { code: 'ECONNREFUSED' });
    const failures = [
      ['a PostgreSQL failure', new PipelineError('storage_failed', 'deals.save: relation "sp_deals" does not exist', { sqlState: '42P01' }, { cause: driverError })],
      ['a SQLite failure', new PipelineError('storage_failed', 'deals.save: SQLITE_CORRUPT: database disk image is malformed', { driverCode: 'SQLITE_CORRUPT' })],
      ['a host repository failure', new PipelineError('storage_failed', 'deals.get failed: connect ECONNREFUSED db-primary.internal:5432', { operation: 'deals.get' }, { cause: driverError })],
      ['a stored row that does not parse', new PipelineError('storage_failed', 'stored deal d1 is not a valid deal: amount expected number', { dealId: 'd1', path: 'amount' })],
    ] as const;

    it.each(failures)('answers %s with a 503 that names no host, port, SQL text or driver code', (_, error) => {
      const problem = toProblem(error);
      expect(problem).toEqual({
        type: `${PROBLEM_TYPE_BASE}storage_failed`,
        title: 'Storage unavailable',
        status: 503,
        detail: 'The storage is unavailable; try again later.',
        code: 'storage_failed',
        correlationId: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|db-primary|5432|sp_deals|42P01|SQLITE|sqlState|driverCode|operation|dealId|does not exist|malformed/);
    });

    it('keeps the driver error on the PipelineError for the host to log', () => {
      const [, error] = failures[0];
      toProblem(error);
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.details).toEqual({ sqlState: '42P01' });
    });

    it('uses the correlation id the host gives, so a log line and the answer can be matched', () => {
      const [, error] = failures[0];
      expect(toProblem(error, { correlationId: 'req-42' }).correlationId).toBe('req-42');
      expect(toProblem(new TypeError('x'), { correlationId: 'req-43' }).correlationId).toBe('req-43');
      expect(toProblem(new PipelineError('not_found', 'deal d1 does not exist'), { correlationId: 'req-44' })).toMatchObject({ status: 404, correlationId: 'req-44' });
    });

    it('derives a stable correlation id from the error when none is given: the same error, the same id; another error, another id', () => {
      const [, first] = failures[0];
      const [, second] = failures[1];
      expect(toProblem(first).correlationId).toBe(toProblem(first).correlationId);
      expect(toProblem(first).correlationId).not.toBe(toProblem(second).correlationId);
    });

    it('never throws on a correlation id that is not a short printable string: it derives one instead', () => {
      const [, error] = failures[0];
      const derived = toProblem(error).correlationId;
      for (const correlationId of [42, '', 'x'.repeat(201), 'a\nb', '<script>']) {
        expect(toProblem(error, { correlationId } as never).correlationId).toBe(derived);
      }
      expect(toProblem(error, { correlationId: 'req_1.a-b:c' }).correlationId).toBe('req_1.a-b:c');
    });
  });
});
