// Reads of a workflow's live state (src/lifecycle/temporal.ts queryOrNull): "no live state" only for
// the named cases, never for any error at all.
import { status } from '@grpc/grpc-js';
import { QueryNotRegisteredError, ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { queryOrNull } from '../../src/lifecycle/temporal';

const grpcError = (code: number) => Object.assign(new Error(`grpc ${code}`), { code, details: '', metadata: {} });
const failing = (err: unknown) => () => Promise.reject(err);

describe('queryOrNull', () => {
  it('answers the query when it succeeds', async () => {
    expect(await queryOrNull(() => Promise.resolve({ step: 2 }))).toEqual({ step: 2 });
  });

  it('is null for a workflow that does not exist, a query it does not have, or an unreachable Temporal', async () => {
    expect(await queryOrNull(failing(new WorkflowNotFoundError('gone', 'wf', undefined)))).toBeNull();
    expect(await queryOrNull(failing(new QueryNotRegisteredError('no such query', status.INVALID_ARGUMENT)))).toBeNull();
    expect(await queryOrNull(failing(new ServiceError('unreachable', { cause: grpcError(status.UNAVAILABLE) })))).toBeNull();
  });

  it('lets every other failure through', async () => {
    await expect(queryOrNull(failing(new ServiceError('refused', { cause: grpcError(status.PERMISSION_DENIED) })))).rejects.toThrow('refused');
    await expect(queryOrNull(failing(new TypeError('a bug in the query')))).rejects.toThrow('a bug in the query');
  });
});
