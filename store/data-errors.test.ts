import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { isDataError } from './data-errors';

const dbError = (code: string) => Object.assign(new pg.DatabaseError('refused', 0, 'error'), { code });

describe('isDataError', () => {
  it('is true for SQLSTATE class 22, what a value the column cannot hold raises', () => {
    for (const code of ['22021', '22P05', '22P02', '22003', '22007', '22008', '22001'])
      assert.equal(isDataError(dbError(code)), true, code);
  });

  it('is false for connection, server and constraint errors, which a retry may get past or that are not about the value', () => {
    for (const code of [
      '08006',
      '08001',
      '57P01',
      '57P03',
      '53300',
      '40001',
      '40P01',
      '23505',
      '23514',
      '42P01',
      'XX000',
      '2200',
      '220000',
    ])
      assert.equal(isDataError(dbError(code)), false, code);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])
      assert.equal(isDataError(Object.assign(new Error(code), { code })), false, code);
    for (const err of [
      new Error('Connection terminated unexpectedly'),
      undefined,
      null,
      'boom',
      { code: 22021 },
    ])
      assert.equal(isDataError(err), false, String(err));
  });
});
