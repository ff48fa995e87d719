package dev.chassis.core.grpc;

import dev.chassis.core.Problem;
import io.grpc.Status;

/**
 * The one mapping between problem statuses and gRPC status codes, used both ways by servers and
 * channels (STANDARD §3). Stateless and thread-safe.
 */
public final class GrpcStatuses {
    private GrpcStatuses() {
    }

    /** The gRPC code for an HTTP problem status. */
    public static Status.Code toCode(int problemStatus) {
        return switch (problemStatus) {
            case 400, 422 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404 -> Status.Code.NOT_FOUND;
            case 409 -> Status.Code.ALREADY_EXISTS;
            case 412 -> Status.Code.FAILED_PRECONDITION;
            case 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 499 -> Status.Code.CANCELLED;
            case 501 -> Status.Code.UNIMPLEMENTED;
            case 502, 503 -> Status.Code.UNAVAILABLE;
            case 504 -> Status.Code.DEADLINE_EXCEEDED;
            default -> problemStatus < 500 ? Status.Code.FAILED_PRECONDITION : Status.Code.INTERNAL;
        };
    }

    /** The HTTP problem status for a gRPC code. */
    public static int toProblemStatus(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case CANCELLED -> 499;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500; // OK is not an error; UNKNOWN, INTERNAL, DATA_LOSS
        };
    }

    /** The gRPC status a problem answers with: the mapped code and the problem's detail (or title). */
    public static Status toStatus(Problem problem) {
        return Status.fromCode(toCode(problem.status()))
                .withDescription(problem.detail() != null ? problem.detail() : problem.title());
    }

    /** The problem a failed gRPC status stands for. */
    public static Problem toProblem(Status status) {
        return Problem.builder(toProblemStatus(status.getCode()))
                .detail(status.getDescription())
                .extension("grpcStatus", status.getCode().name())
                .build();
    }
}
