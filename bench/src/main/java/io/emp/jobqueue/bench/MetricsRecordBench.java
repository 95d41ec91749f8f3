package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.metrics.MetricsConfig;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.worker.AttemptEnd;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What metrics cost per job, without the noise of a whole system on a shared machine: everything the
 * worker records for one completed job (queue wait, busy slot up and down, the backend call, the
 * attempt's outcome and duration, the end-to-end time and the SLA check, with an exemplar for a kept
 * trace), and one scrape of a registry holding those series. Run: bench/run.sh metrics-record
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MetricsRecordBench {
  private Metrics on;
  private Metrics off;
  private WorkerMetrics recordOn;
  private WorkerMetrics recordOff;
  private ClaimedJob claimed;
  private Job job;

  @Setup(Level.Trial)
  public void setup() {
    on = Metrics.prometheus(MetricsConfig.DEFAULTS);
    off = Metrics.disabled();
    WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.of("bench-w", "simulation").withMachine("bench-m"));
    recordOn = new WorkerMetrics(on, wc, SamplingPolicy.DEFAULTS);
    recordOff = new WorkerMetrics(off, wc, SamplingPolicy.DEFAULTS);
    Map<String, String> h = new HashMap<>();
    h.put(Job.F.ID, "job-1");
    h.put(Job.F.SERVICE, "simulation");
    h.put(Job.F.PRIORITY, "50");
    h.put(Job.F.STATUS, "in_progress");
    h.put(Job.F.CREATED_AT, "1000");
    h.put(Job.F.ATTEMPT, "1");
    h.put(Job.F.PAYLOAD, "{\"steps\":0}");
    h.put("baggage", "customer.tier=vip");
    job = Job.fromHash(h);
    claimed = new ClaimedJob(job, "token", 1, 0, 1250);
    // a registry shaped like a node's: the JVM meters Vert.x binds, and the job series
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(on.registry());
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(on.registry());
    new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(on.registry());
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(on.registry());
    oneJob(recordOn, claimed, job);
  }

  private static void oneJob(WorkerMetrics m, ClaimedJob c, Job j) {
    m.claimed(c);
    m.busy("simulation", 1);
    m.externalCall("simulation", "simulation://local", "none", 1_500_000, "success");
    m.busy("simulation", -1);
    m.attemptEnded(j, AttemptEnd.COMPLETED, 2_000_000, m.sla(j, 1_750, true),
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
  }

  @Benchmark
  public void workerMetricsOfOneJobOn() {
    oneJob(recordOn, claimed, job);
  }

  @Benchmark
  public void workerMetricsOfOneJobOff() {
    oneJob(recordOff, claimed, job);
  }

  @Benchmark
  public Metrics.Scrape scrapeText() {
    return on.scrape(null);
  }

  @Benchmark
  public Metrics.Scrape scrapeOpenMetrics() {
    return on.scrape("application/openmetrics-text");
  }
}
