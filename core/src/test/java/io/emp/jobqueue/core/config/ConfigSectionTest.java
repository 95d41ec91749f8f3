package io.emp.jobqueue.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigSectionTest {

  @Test
  void aKeyNoReaderReadsIsNamedByItsDottedPathWithTheKeyItProbablyMeant() {
    ConfigSection root = ConfigSection.of(new JsonObject()
        .put("gateway", new JsonObject().put("port", 8080).put("prot", 9000))
        .put("queue", new JsonObject().put("store", new JsonObject().put("retry", new JsonObject().put("bse_ms", 1)))));
    ConfigSection gw = root.section("gateway");
    gw.getInteger("port", 1);
    gw.getString("host", "h");
    ConfigSection retry = root.section("queue").section("store").section("retry");
    retry.getLong("base_ms", 1L);

    assertThat(root.unknownKeys()).containsExactly("gateway.prot", "queue.store.retry.bse_ms");
    assertThatThrownBy(root::rejectUnknownKeys).isInstanceOf(ConfigException.class).hasMessage(
        "unknown config keys: gateway.prot (did you mean gateway.port?); "
            + "queue.store.retry.bse_ms (did you mean queue.store.retry.base_ms?)");
  }

  @Test
  void withoutACloseKeyTheHintListsWhatTheSectionTakes() {
    ConfigSection root = ConfigSection.of(new JsonObject().put("gateway", new JsonObject().put("colour", "red"))
        .put("extra", 1));
    ConfigSection gw = root.section("gateway");
    gw.getInteger("port", 1);
    gw.getString("host", "h");

    assertThatThrownBy(root::rejectUnknownKeys).hasMessage("unknown config keys: gateway.colour (gateway takes: "
        + "host, port); extra (the top level takes: gateway)");
  }

  @Test
  void everyKeyReadIsKnownAndFreeFormObjectsAreNotLookedInto() {
    ConfigSection root = ConfigSection.of(new JsonObject().put("t", new JsonObject()
        .put("tiers", new JsonObject().put("customer-1", "vip")).put("list", new JsonArray().add(1))
        .put("ratio", 0.5).put("on", true).put("name", "x")));
    ConfigSection t = root.section("t");
    assertThat(t.getJsonObject("tiers").getString("customer-1")).isEqualTo("vip");
    assertThat(t.getJsonArray("list")).containsExactly(1);
    assertThat(t.getDouble("ratio", 1.0)).isEqualTo(0.5);
    assertThat(t.getBoolean("on", false)).isTrue();
    assertThat(t.getString("name")).isEqualTo("x");
    // absent keys take the reader's default
    assertThat(t.getLong("missing", 7L)).isEqualTo(7L);

    assertThat(root.unknownKeys()).isEmpty();
  }

  @Test
  void aWrongTypeNamesTheKeyTheExpectedTypeAndTheValue() {
    ConfigSection gw = ConfigSection.of(new JsonObject().put("gateway", new JsonObject().put("port", "abc")
        .put("host", 5).put("on", "yes").put("half", 1.5).put("list", "a").put("obj", 3)
        .put("big", 5_000_000_000L))).section("gateway");

    assertThatThrownBy(() -> gw.getInteger("port", 1)).isInstanceOf(ConfigException.class)
        .hasMessage("gateway.port: expected a number, got \"abc\"");
    assertThatThrownBy(() -> gw.getString("host")).hasMessage("gateway.host: expected a string, got 5");
    assertThatThrownBy(() -> gw.getBoolean("on", false)).hasMessage("gateway.on: expected true or false, got \"yes\"");
    assertThatThrownBy(() -> gw.getLong("half", 1L)).hasMessage("gateway.half: expected a whole number, got 1.5");
    assertThatThrownBy(() -> gw.getJsonArray("list")).hasMessage("gateway.list: expected a list, got \"a\"");
    assertThatThrownBy(() -> gw.section("obj")).hasMessage("gateway.obj: expected an object, got 3");
    assertThatThrownBy(() -> gw.getInteger("big")).hasMessage(
        "gateway.big: expected a number within -2147483648..2147483647, got 5000000000");
  }

  @Test
  void numbersAndBooleansMayArriveAsTextAsEnvironmentVariablesDo() {
    ConfigSection s = ConfigSection.of(new JsonObject().put("port", "8080").put("ratio", "0.25")
        .put("on", "false").put("ms", 100.0), "gateway");
    assertThat(s.getInteger("port")).isEqualTo(8080);
    assertThat(s.getDouble("ratio")).isEqualTo(0.25);
    assertThat(s.getBoolean("on")).isFalse();
    assertThat(s.getLong("ms")).isEqualTo(100L);
  }

  @Test
  void aSuppliedValueShadowsTheUsersAndReadsThroughItCountForTheSection() {
    ConfigSection root = ConfigSection.of(new JsonObject().put("worker", new JsonObject().put("worker_id", "mine")
        .put("concurrency", 2)));
    ConfigSection worker = root.section("worker");
    ConfigSection view = worker.with("worker_id", "slot-1").with("services", new JsonArray().add("simulation"));

    assertThat(view.getString("worker_id")).isEqualTo("slot-1");
    assertThat(view.getJsonArray("services")).containsExactly("simulation");
    assertThat(view.getInteger("concurrency")).isEqualTo(2);
    // the original is untouched, and knows what its view read
    assertThat(worker.getString("worker_id")).isEqualTo("mine");
    assertThat(root.unknownKeys()).isEmpty();
  }

  @Test
  void aSectionOpenedTwiceIsTheSameSoBothReadsCount() {
    ConfigSection root = ConfigSection.of(new JsonObject().put("m", new JsonObject().put("a", 1).put("b", 2)));
    root.section("m").getInteger("a");
    root.section("m").getInteger("b");
    assertThat(root.unknownKeys()).isEmpty();
  }

  @Test
  void closestFindsATypoButNotAnUnrelatedWord() {
    assertThat(Typos.closest("--prot", List.of("--port", "--roles"))).isEqualTo("--port");
    assertThat(Typos.closest("colour", List.of("host", "port"))).isNull();
  }
}
