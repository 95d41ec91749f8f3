package io.emp.jobqueue.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.queue.store.SubmitResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A batch's per-job answers cross the bus with their typed errors intact, as a single submit's failure does. */
class BatchItemTest {

  private static BatchItem roundTrip(BatchItem item) {
    return BatchItem.fromJson(item.toJson());
  }

  @Test
  void aStoredJobKeepsItsResultAndTrace() {
    SubmitResult r = new SubmitResult("j1", false, JobStatus.PENDING, 42, 3, 7, Map.of());
    BatchItem back = roundTrip(BatchItem.of(r, "4bf92f3577b34da6a3ce929d0e0e4736"));
    assertThat(back.succeeded()).isTrue();
    assertThat(back.result()).isEqualTo(r);
    assertThat(back.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void aRefusedJobKeepsItsCodeMessageAndProblems() {
    BatchItem full = roundTrip(BatchItem.failed(new JobQueueException(Code.QUEUE_FULL, "queue for service 'x' is full")));
    assertThat(full.succeeded()).isFalse();
    assertThat(full.error().code()).isEqualTo(Code.QUEUE_FULL);
    assertThat(full.error().getMessage()).isEqualTo("queue for service 'x' is full");

    BatchItem invalid = roundTrip(BatchItem.failed(new ValidationException(List.of(new Problem("priority", "range", "too big")))));
    assertThat(invalid.error()).isInstanceOfSatisfying(ValidationException.class,
        v -> assertThat(v.problems()).extracting(Problem::field).containsExactly("priority"));

    BatchItem unconfirmed = roundTrip(BatchItem.failed(JobQueueException.unavailable("not confirmed by replicas")));
    assertThat(unconfirmed.error().ownMessage()).as("shown to the caller as written").isTrue();

    BatchItem unexpected = roundTrip(BatchItem.failed(new IllegalStateException("redis said ERR at 10.0.0.5")));
    assertThat(unexpected.error().code()).isEqualTo(Code.INTERNAL);
    assertThat(unexpected.error().getMessage()).doesNotContain("10.0.0.5");
  }
}
