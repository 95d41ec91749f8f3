package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobSpec;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTailTest extends StoreTestSupport {

  @Test
  void followsTheGlobalStreamFromTheTailOnItsOwnConnection() {
    EventTail tail = EventTail.create(vertx, store.config());
    try {
      assertThat(get(tail.lastId())).isEqualTo("0-0");
      String before = get(store.submit(JobSpec.of("sim", 1, new JsonObject()))).jobId();
      String start = get(tail.lastId());
      assertThat(start).isNotEqualTo("0-0");
      // Nothing after the tail yet: the blocking read times out with an empty list.
      assertThat(get(tail.readAfter(start, 50, 10))).isEmpty();

      String after = get(store.submit(JobSpec.of("sim", 1, new JsonObject()))).jobId();
      List<JobEvent> read = get(tail.readAfter(start, 1_000, 10));
      assertThat(read).hasSize(1);
      assertThat(read.get(0).jobId()).isEqualTo(after).isNotEqualTo(before);
      assertThat(read.get(0).type()).isEqualTo(JobEvent.SUBMITTED);
      assertThat(read.get(0).seq()).isEqualTo(1L);
      assertThat(read.get(0).streamId()).isNotNull();
      // While a read blocks, the store's own commands still run (separate connection).
      var blocked = tail.readAfter(read.get(0).streamId(), 5_000, 10);
      String third = get(store.submit(JobSpec.of("sim", 1, new JsonObject()))).jobId();
      assertThat(get(blocked).get(0).jobId()).isEqualTo(third);
    } finally {
      get(tail.close());
    }
  }
}
