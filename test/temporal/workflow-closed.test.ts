// "The workflow no longer runs" is recognised by error type and gRPC status, never by message text:
// a refusal whose message happens to mention completion is not mistaken for a closed workflow.
import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isWorkflowClosed } from '../../src/lifecycle/temporal';

const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

describe('isWorkflowClosed', () => {
  it('is true for WorkflowNotFoundError (what the client raises for "workflow execution already completed")', () => {
    expect(isWorkflowClosed(new WorkflowNotFoundError('workflow execution already completed', 'campaign:x', undefined))).toBe(true);
  });

  it('is true for a NOT_FOUND status wrapped in a ServiceError', () => {
    expect(
      isWorkflowClosed(new ServiceError('Workflow Update failed', { cause: grpcError(GrpcStatus.NOT_FOUND, 'workflow execution already completed') })),
    ).toBe(true);
  });

  it('is false for other statuses and for plain errors whatever their message says', () => {
    expect(
      isWorkflowClosed(new ServiceError('Workflow Update failed', { cause: grpcError(GrpcStatus.UNAVAILABLE, 'workflow execution already completed') })),
    ).toBe(false);
    expect(isWorkflowClosed(new Error('workflow execution already completed'))).toBe(false);
    expect(isWorkflowClosed(undefined)).toBe(false);
  });
});
