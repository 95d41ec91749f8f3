package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import static io.emp.jobqueue.machine.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentInstallerTest {
  static Vertx vertx;
  static InMemorySpanExporter exporter = InMemorySpanExporter.create();
  static Telemetry telemetry;
  Fixtures.FileServer server;
  @TempDir
  Path dir;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of(SimpleSpanProcessor.create(exporter)));
  }

  @AfterAll
  static void down() {
    telemetry.close();
    get(vertx.close());
  }

  @BeforeEach
  void server() {
    exporter.reset();
    server = new Fixtures.FileServer(vertx);
  }

  @org.junit.jupiter.api.AfterEach
  void stopServer() {
    server.close();
  }

  ComponentInstaller installer() {
    return new ComponentInstaller(vertx, new Downloader(vertx, 3, 10),
        telemetry.tracer(ServiceName.BOOTSTRAP),
        new ComponentInstaller.Settings(dir.resolve("install"), dir.resolve("cache"), "m-test", "test"));
  }

  static ComponentSpec download(String name, ComponentSpec.Type type, String url, String sha, boolean required) {
    return new ComponentSpec(name, type, url, null, sha, name, required, sha.substring(0, 12));
  }

  static Object attr(SpanData s, String key) {
    return s.getAttributes().asMap().entrySet().stream().filter(e -> e.getKey().getKey().equals(key))
        .map(Map.Entry::getValue).findFirst().orElse(null);
  }

  static SpanData span(String name) {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + exporter.getFinishedSpanItems().stream()
            .map(SpanData::getName).toList()));
  }

  @Test
  void installsGitRepoModelAndArchivesThenServesTheSecondRunFromCache() throws Exception {
    Path bare = Fixtures.bareGitRepo(dir.resolve("git"));
    byte[] model = Fixtures.randomBytes(300_000, 1);
    byte[] zip = Fixtures.zip(Map.of("nodes/a.py", "a", "nodes/b.py", "b"));
    byte[] tgz = Fixtures.tarGz(dir, Map.of("lib/x.txt", "x", "lib/y.txt", "y", "z.txt", "z"));
    server.files.put("/model.bin", model);
    server.files.put("/nodes.zip", zip);
    server.files.put("/lib.tar.gz", tgz);
    List<ComponentSpec> comps = List.of(
        new ComponentSpec("app", ComponentSpec.Type.GIT_REPO, bare.toString(), "v1", null, "app", true, "v1"),
        download("model", ComponentSpec.Type.MODEL_DOWNLOAD, server.url("/model.bin"), Fixtures.sha256(model), true),
        download("nodes", ComponentSpec.Type.ARCHIVE, server.url("/nodes.zip"), Fixtures.sha256(zip), true),
        download("lib", ComponentSpec.Type.ARCHIVE, server.url("/lib.tar.gz"), Fixtures.sha256(tgz), false));

    ComponentInstaller.Report first = get(installer().install(comps, new MachineProfile.Installation(true, 2),
        Context.root()));

    assertThat(first.results()).allMatch(ComponentInstaller.ComponentResult::ok);
    assertThat(first.cacheHits()).isZero();
    Path install = dir.resolve("install");
    // The tag, not the later commit on main.
    assertThat(Files.readString(install.resolve("app/README.md"))).isEqualTo("v1\n");
    assertThat(Files.readAllBytes(install.resolve("model"))).isEqualTo(model);
    assertThat(Files.readString(install.resolve("nodes/nodes/b.py"))).isEqualTo("b");
    assertThat(Files.readString(install.resolve("lib/lib/y.txt"))).isEqualTo("y");
    assertThat(attr(span("component.install.lib"), "extraction.files_extracted")).isEqualTo(3L);
    assertThat(attr(span("component.install.app"), "validation.files_present")).isEqualTo(2L);
    assertThat(attr(span("component.install.model"), "component.type")).isEqualTo("model_download");
    int requestsAfterFirst = server.requests.get();
    assertThat(requestsAfterFirst).isEqualTo(3);

    exporter.reset();
    ComponentInstaller.Report second = get(installer().install(comps, new MachineProfile.Installation(false, 1),
        Context.root()));
    assertThat(second.results()).allMatch(ComponentInstaller.ComponentResult::ok);
    assertThat(second.cacheHits()).isEqualTo(4);
    assertThat(server.requests.get()).isEqualTo(requestsAfterFirst);
    assertThat(attr(span("component.install.model"), "install.cache_hit")).isEqualTo(true);
  }

  @Test
  void interruptedDownloadResumesWithARangeRequest() throws Exception {
    byte[] model = Fixtures.randomBytes(2_000_000, 2);
    server.files.put("/big.bin", model);
    server.dropOnce.put("/big.bin", true);
    ComponentSpec c = download("big", ComponentSpec.Type.MODEL_DOWNLOAD, server.url("/big.bin"),
        Fixtures.sha256(model), true);

    ComponentInstaller.Report r = get(installer().install(List.of(c), new MachineProfile.Installation(true, 1),
        Context.root()));

    assertThat(r.results()).singleElement().satisfies(x -> {
      assertThat(x.ok()).isTrue();
      assertThat(x.resumed()).isTrue();
    });
    assertThat(server.log).hasSize(2);
    assertThat(server.log.get(0)).isEqualTo("/big.bin range=null");
    // The second request continues where the first stopped: a non-zero offset below the full length.
    String second = server.log.get(1);
    assertThat(second).startsWith("/big.bin range=bytes=").endsWith("-");
    long offset = Long.parseLong(second.substring("/big.bin range=bytes=".length(), second.length() - 1));
    assertThat(offset).isPositive().isLessThan(model.length);
    assertThat(Files.readAllBytes(dir.resolve("install/big"))).isEqualTo(model);
    SpanData s = span("component.install.big");
    assertThat(attr(s, "download.resume_used")).isEqualTo(true);
    assertThat(attr(s, "download.retry_count")).isEqualTo(1L);
  }

  @Test
  void checksumMismatchOnARequiredComponentStopsTheInstallWithAnErrorSpan() {
    byte[] model = Fixtures.randomBytes(10_000, 3);
    server.files.put("/m.bin", model);
    server.files.put("/later.bin", model);
    String wrong = Fixtures.sha256("something else".getBytes());
    List<ComponentSpec> comps = List.of(
        download("m", ComponentSpec.Type.MODEL_DOWNLOAD, server.url("/m.bin"), wrong, true),
        download("later", ComponentSpec.Type.MODEL_DOWNLOAD, server.url("/later.bin"), Fixtures.sha256(model), true));

    Span parent = telemetry.tracer(ServiceName.BOOTSTRAP).spanBuilder("parent").startSpan();
    ComponentInstaller.Report r = get(installer().install(comps, new MachineProfile.Installation(false, 1),
        Context.root().with(parent)));
    parent.end();

    assertThat(r.firstRequiredFailure()).hasValueSatisfying(f -> {
      assertThat(f.spec().name()).isEqualTo("m");
      assertThat(f.error()).isInstanceOfSatisfying(InstallException.class,
          e -> assertThat(e.kind()).isEqualTo(InstallException.Kind.CHECKSUM_MISMATCH));
    });
    // Sequential strategy: the component after the failed required one never started.
    assertThat(server.log).noneMatch(l -> l.startsWith("/later.bin"));
    assertThat(Files.exists(dir.resolve("install/m"))).isFalse();
    SpanData comp = span("component.install.m");
    SpanData err = span("machine.error.component_install");
    assertThat(comp.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(comp.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(err.getParentSpanId()).isEqualTo(comp.getSpanId());
    assertThat(attr(err, "error.type")).isEqualTo("checksum_mismatch");
    assertThat((String) attr(err, "error.message")).contains("expected sha256 " + wrong);
    assertThat(attr(err, "recovery.strategy")).isEqualTo("fail");
    assertThat(attr(err, "debug.machine_id")).isEqualTo("m-test");
    assertThat(attr(err, "component.required")).isEqualTo(true);
  }

  @Test
  void failedOptionalComponentIsReportedAndSkipped() {
    byte[] model = Fixtures.randomBytes(10_000, 4);
    server.files.put("/ok.bin", model);
    List<ComponentSpec> comps = List.of(
        download("missing", ComponentSpec.Type.MODEL_DOWNLOAD, server.url("/missing.bin"), Fixtures.sha256(model),
            false),
        download("ok", ComponentSpec.Type.MODEL_DOWNLOAD, server.url("/ok.bin"), Fixtures.sha256(model), true));

    ComponentInstaller.Report r = get(installer().install(comps, new MachineProfile.Installation(false, 1),
        Context.root()));

    assertThat(r.firstRequiredFailure()).isEmpty();
    assertThat(r.results()).filteredOn(x -> !x.ok()).singleElement().satisfies(x -> {
      assertThat(x.spec().name()).isEqualTo("missing");
      assertThat(x.error()).isInstanceOfSatisfying(InstallException.class,
          e -> assertThat(e.kind()).isEqualTo(InstallException.Kind.HTTP_STATUS));
    });
    assertThat(Files.exists(dir.resolve("install/ok"))).isTrue();
    assertThat(attr(span("machine.error.component_install"), "recovery.strategy")).isEqualTo("skip");
  }

  @Test
  void credentialsNeverReachSpans() {
    assertThat(ComponentInstaller.redact("https://user:tok@host/x.bin?sig=abc")).isEqualTo("https://host/x.bin");
    assertThat(ComponentInstaller.redact("redis://:secret@10.0.0.1:6379")).isEqualTo("redis://10.0.0.1:6379");
    assertThat(ComponentInstaller.redact("fatal: unable to access 'https://bot:ghp_x@github.com/o/r.git/': 403"))
        .isEqualTo("fatal: unable to access 'https://github.com/o/r.git/': 403");
    assertThat(AttributeKey.stringKey("download.url").getKey()).isEqualTo(MachineAttr.DOWNLOAD_URL);
  }
}
