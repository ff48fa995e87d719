package dev.chassis.core.internal.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.chassis.core.Problem;
import dev.chassis.core.internal.validation.Validation;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;

class RequestChecksTest {
    private static final Descriptor BAD_REQUEST = BadRequest.getDescriptor();

    @Test
    void servicesWhoseRequestsDeclareNoConstraintGetNoCheckAtAll() {
        List<BindableService> services = List.of(new HealthGrpc.HealthImplBase() {
        });

        assertThat(RequestChecks.of(services, Validation.NONE)).isNull();
        assertThat(RequestChecks.of(services, Validation.detected())).isNull();
    }

    @Test
    void onlyMethodsWhoseRequestTypeIsConstrainedAreChecked() {
        RequestChecks checks = RequestChecks.of(List.of(new HealthGrpc.HealthImplBase() {
        }), type -> type == HealthCheckRequest.class
                ? Optional.of(value -> List.of()) : Optional.empty());

        assertThat(checks).isNotNull();
        assertThat(checks.forMethod("grpc.health.v1.Health/Check")).isNotNull();
        assertThat(checks.forMethod("grpc.health.v1.Health/Watch")).isNotNull(); // HealthCheckRequest too
        assertThat(checks.forMethod("grpc.health.v1.Health/List")).isNull(); // HealthListRequest
        assertThat(checks.forMethod("grpc.health.v1.Health/Unknown")).isNull();
    }

    @Test
    void javaPropertyPathsBecomeProtobufFieldPaths() {
        assertThat(RequestChecks.protoPath(BAD_REQUEST, "fieldViolationsList")).isEqualTo("field_violations");
        assertThat(RequestChecks.protoPath(BAD_REQUEST, "fieldViolationsList[2].localizedMessage"))
                .isEqualTo("field_violations[2].localized_message");
        assertThat(RequestChecks.protoPath(BAD_REQUEST, "fieldViolationsList[0].reason"))
                .isEqualTo("field_violations[0].reason");
    }

    @Test
    void mapKeysAndUnknownPartsAreKeptAsTheyAre() {
        assertThat(RequestChecks.protoPath(ErrorInfo.getDescriptor(), "metadataMap[a.b]"))
                .isEqualTo("metadata[a.b]");
        assertThat(RequestChecks.protoPath(ErrorInfo.getDescriptor(), "metadataMap[k].x")).isEqualTo("metadata[k].x");
        assertThat(RequestChecks.protoPath(BAD_REQUEST, "body")).isEqualTo("body");
        assertThat(RequestChecks.protoPath(BAD_REQUEST, "fieldViolationsList[1].nope.deeper"))
                .isEqualTo("field_violations[1].nope.deeper");
    }

    @Test
    void anInvalidMessageIsRejectedWithInvalidArgumentAndABadRequestDetail() throws Exception {
        RequestChecks.RequestCheck check = new RequestChecks.RequestCheck(value -> List.of(
                new Problem.FieldError("fieldViolationsList[0].field", "must not be blank")),
                BAD_REQUEST);

        StatusRuntimeException e = check.reject(BadRequest.getDefaultInstance()).orElseThrow();

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription())
                .isEqualTo("invalid request: field_violations[0].field: must not be blank");
        BadRequest detail = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
        assertThat(detail.getFieldViolations(0).getField()).isEqualTo("field_violations[0].field");
        assertThat(detail.getFieldViolations(0).getDescription()).isEqualTo("must not be blank");
    }

    @Test
    void aValidMessageIsNotRejected() {
        RequestChecks.RequestCheck check = new RequestChecks.RequestCheck(value -> List.of(), BAD_REQUEST);

        assertThat(check.reject(BadRequest.getDefaultInstance())).isEmpty();
    }
}
