// How a closed workflow looks to a caller that signals or updates it. Shared by the API's lifecycle
// facade and by activities that talk to other workflows (activities may not import src/lifecycle).
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * True when a signal or update failed because the workflow no longer runs: it was never started or
 * has closed (completed, cancelled, failed). The server answers such calls with gRPC NOT_FOUND
 * ("workflow execution already completed"), which the client raises as WorkflowNotFoundError; the
 * status code is checked as well for a NOT_FOUND that reaches us wrapped in a ServiceError.
 */
export function isWorkflowClosed(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && e.code === GrpcStatus.NOT_FOUND) return true;
  }
  return false;
}
